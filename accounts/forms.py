from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from . import importing


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


class OrganizationImportForm(forms.Form):
    file = forms.FileField(
        label="Файл",
        help_text=(
            "Таблица .xlsx или .csv (UTF-8 или Windows-1251, разделитель «;» или «,»). "
            "Первая строка — заголовки: Регион, Муниципалитет, Логин, Наименование, "
            "Тип (необязательно), Электронная почта (необязательно)."
        ),
        error_messages={"required": "Выберите файл.", "empty": importing.EMPTY},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before the file is read into memory.
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(importing.too_large_message(upload.size))
        return upload
