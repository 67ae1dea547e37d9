from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm

from .models import User


class _LowercaseEmailMixin:
    # User.save() lowercases the address; do it before the uniqueness check so that
    # "Name@Example.lv" next to "name@example.lv" is a form error, not an IntegrityError.
    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class UserCreationForm(_LowercaseEmailMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(_LowercaseEmailMixin, BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
