from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    """Loads the user of each request with its region, municipality and organization: every
    page shows the scope in the top bar and every selector scopes by it (one query, not up to
    four). Done here and not in the default manager, because a manager-wide join would break
    `select_for_update()` on PostgreSQL (FOR UPDATE on the nullable side of an outer join)."""

    def get_user(self, user_id):
        from .models import User

        try:
            user = User._default_manager.select_related(
                "region", "municipality", "organization"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
