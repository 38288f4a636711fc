from ninja import NinjaAPI

api = NinjaAPI(title="kehoach API", version="1", urls_namespace="api")
