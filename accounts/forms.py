from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Логин",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
        "inactive": "Учетная запись отключена. Обратитесь к координатору.",
    }

    def clean_username(self):
        # Logins are issued in lower case (edu470001); people often type them otherwise.
        return self.cleaned_data["username"].strip().lower()


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
