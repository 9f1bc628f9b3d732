from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from core.paging import ReversiblePaginator

from . import permissions, scoping, services
from .forms import LoginForm, OrganizationSearchForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("cabinet")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user, request=self.request)
        messages.success(self.request, "Пароль изменен.")
        return response


def organization_list(request):
    """Organizations in the user's scope, for coordinators and operators. Regions and
    municipalities are read for the page's rows only (`prefetch_related`, 2 queries): joined
    into the page's query, they were joined to every match before the sort."""
    permissions.require(permissions.may_monitor(request.user))
    form = OrganizationSearchForm(request.GET)
    organizations = scoping.organizations_visible_to(request.user).prefetch_related(
        "region", "municipality"
    )
    if form.is_valid() and form.cleaned_data["q"]:
        organizations = scoping.search_organizations(organizations, form.cleaned_data["q"])
    page = ReversiblePaginator(organizations.order_by("login"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/organization_list.html",
        {
            "form": form,
            "page": page,
            "can_reset": permissions.may_act_on_organizations(request.user),
        },
    )


@require_POST
def organization_password_reset(request, pk):
    permissions.require(permissions.may_act_on_organizations(request.user))
    organization = scoping.organization_for_user_or_404(request.user, pk)
    credentials = services.organization_password_reset(
        organization=organization, actor=request.user, request=request
    )
    response = render(
        request,
        "accounts/password_reset_done.html",
        {"organization": organization, "credentials": credentials},
    )
    # The one-time password is shown once: never cached by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response
