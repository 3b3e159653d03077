from django.contrib.auth.backends import ModelBackend


class ShopUserBackend(ModelBackend):
    """E-mail login; rejected customers and accounts an operator created that the customer has
    not confirmed yet never authenticate (checked here, not only in the UI)."""

    def user_can_authenticate(self, user):
        return (
            super().user_can_authenticate(user)
            and not getattr(user, "is_rejected", False)
            and getattr(user, "is_confirmed", True)
        )

    def get_user(self, user_id):
        user = super().get_user(user_id)
        # A session opened before the customer was rejected stops working on the next request.
        if user is not None and user.is_rejected:
            return None
        return user
