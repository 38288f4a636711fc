from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: evaluated only when the navigation bar renders.
    return {
        "unread_notifications": lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
