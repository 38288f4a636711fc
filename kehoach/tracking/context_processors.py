from django.db.models import Count, Q

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        # One query for the badge; notifications that link to the page being shown are read by showing it.
        here = {request.path, request.get_full_path()}
        counts = Notification.objects.filter(user=user, read_at__isnull=True).aggregate(
            total=Count("pk"), here=Count("pk", filter=Q(url__in=here))
        )
        if counts["here"] and request.method == "GET":
            from .services.notifications import opened

            opened(user=user, urls=here)
            return counts["total"] - counts["here"]
        return counts["total"]

    # Lazy: evaluated only when the navigation bar renders.
    return {"unread_notifications": unread}
