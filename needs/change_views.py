"""Pages that change a posted need: edit it, hand it to another organisation. Only a coordinator of
the posting organisation may (the same rule as posting); everyone else gets 403, or 404 for a need
they may not even see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from needs.forms import HandOverForm, NeedEditForm
from needs.models import Need
from needs.permissions import can_manage_need, can_see_need
from needs.selectors import organisations_to_hand_to
from needs.services.editing import NeedNotEditable, need_update
from needs.services.handover import need_hand_over


def _need_to_change(request: HttpRequest, pk: int) -> Need:
    need = get_object_or_404(Need.objects.select_related("organisation", "local_authority"), pk=pk)
    if not can_see_need(user=request.user, need=need):
        raise Http404("No such need")
    if not can_manage_need(user=request.user, need=need):
        raise PermissionDenied("Only a coordinator of the organisation that posted this need may change it.")
    return need


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _changed_note(need: Need, withdrawn: int, offered: int) -> str:
    note = f"Need {need.ref} is changed."
    if withdrawn:
        people = f"{withdrawn} volunteer{'s' if withdrawn != 1 else ''}"
        note += f" It no longer fits {people} already asked: they were told by text that it is withdrawn."
        if offered:
            note += f" It was offered to {offered} more who fit it now."
    return note


@login_required
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need_to_change(request, pk)
    form = NeedEditForm.for_need(need, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = need_update(need=need, actor=request.user, changes=form.cleaned_data)
        except NeedNotEditable as exc:
            messages.error(request, str(exc))
            return redirect("needs:detail", pk=need.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if change.changed:
                messages.success(request, _changed_note(need, change.withdrawn, change.offered))
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("needs:detail", pk=need.pk)
    return render(request, "needs/edit.html", {"need": need, "form": form})


@login_required
def need_hand_over_page(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need_to_change(request, pk)
    organisations = list(organisations_to_hand_to(need=need))
    form = HandOverForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        to = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            withdrawn = need_hand_over(need=need, to_organisation=to, actor=request.user)
        except NeedNotEditable as exc:
            messages.error(request, str(exc))
            return redirect("needs:detail", pk=need.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            note = f"Need {need.ref} is now with {to.name}; their coordinators have been told."
            if withdrawn:
                note += (
                    f" The {withdrawn} volunteer{'s' if withdrawn != 1 else ''} asked were told it has moved."
                )
            messages.success(request, note)
            return redirect("needs:list")
    return render(
        request, "needs/hand_over.html", {"need": need, "form": form, "organisations": organisations}
    )
