"""django-axes hooks: count failures per login as the user will be known (EDU470001 and
edu470001 are one login), so changing the case does not reset the lockout."""


def normalized_username(request, credentials) -> str | None:
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") if source else None
    return username.strip().lower() if isinstance(username, str) else username
