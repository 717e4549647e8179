"""Views of the `leads` app: thin — read through selectors, write through services."""

import datetime
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.forms import apply_service_errors
from stations.models import Station
from stations.pagination import KeysFirstPaginator
from stations.permissions import Action, Role, get_in_scope_or_404, has_role, stations_for, unit_of, user_can

from . import access, excel, imports, selectors, services
from .forms import (
    ContactForm,
    DecisionForm,
    DetermineForm,
    DuplicateForm,
    EnterpriseForm,
    FollowUpPlanForm,
    FundsForm,
    ImportForm,
    InvestorVisitForm,
    LeadForm,
    MeetingForm,
    MoveForm,
    OutcomeForm,
    ReassignForm,
    ReturnVisitForm,
    VisitForm,
)
from .models import EXITS, PIPELINE, Category, Enterprise, FollowUpPlan, Industry, Lead, Origin, Source, Stage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filter_context(request, filters):
    return {
        "filters": filters,
        "stations": stations_for(request.user, Action.VIEW).order_by("name").values_list("pk", "name"),
        "stages": [(stage, Stage(stage).label) for stage in [*PIPELINE, *EXITS]],
        "sources": Source.choices, "categories": Category.choices, "origins": Origin.choices,
        "industries": Industry.objects.filter(parent__isnull=True),
        "query": request.GET.urlencode(),
    }


@login_required
def lead_list(request):
    filters = selectors.LeadFilters.from_query(request.GET)
    leads = selectors.lead_list(user=request.user, filters=filters, classes=False)
    count = selectors.lead_count(user=request.user, filters=filters)
    page = KeysFirstPaginator(leads, 50, count=count).get_page(request.GET.get("page"))
    return render(request, "leads/lead_list.html", {
        **_filter_context(request, filters), "page_obj": page, "leads": selectors.mark_classes(page.object_list),
        "is_paginated": page.has_other_pages(),
        "can_file": user_can(request.user, Action.WORK), "rules": services.rules_for(),
    })


@login_required
def lead_export(request):
    filters = selectors.LeadFilters.from_query(request.GET)
    now = timezone.localtime()
    content = excel.leads_workbook(leads=selectors.lead_list(user=request.user, filters=filters),
                                   user=request.user, now=now)
    return _xlsx(content, f"leads-{now:%Y%m%d-%H%M}.xlsx")


@login_required
def lead_board(request):
    filters = selectors.LeadFilters.from_query(request.GET)
    return render(request, "leads/lead_board.html", {
        **_filter_context(request, filters), "columns": selectors.board(user=request.user, filters=filters)})


@login_required
def lead_funnel(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    funnel = selectors.funnel(user=request.user, year=year)
    # A province has a thousand teams: the table shows fifty at a time under the totals.
    teams = Paginator(funnel["stations"], 50).get_page(request.GET.get("page"))
    return render(request, "leads/lead_funnel.html", {
        "funnel": funnel, "teams": teams, "page_obj": teams, "is_paginated": teams.has_other_pages(), "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1)})


def _lead_form_stations(user):
    return stations_for(user, Action.WORK).order_by("name")


@login_required
def lead_create(request):
    stations = _lead_form_stations(request.user)
    if not stations:
        raise PermissionDenied
    station = stations.first()
    if request.method == "POST":
        form = LeadForm(request.POST, previous_phases=_earlier_leads(request.user))
        chosen = request.POST.get("station", "")
        station = stations.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if station is None:
            form.add_error(None, _("Choose one of your own teams."))
            station = stations.first()
        if form.is_valid():
            data = dict(form.cleaned_data)
            tags = data.pop("tags")
            try:
                lead = services.lead_file(user=request.user, station=station, tags=tags, **data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if lead.duplicate_status:
                    messages.warning(request, _("Filed. It may repeat an earlier lead: the bureau will check."))
                else:
                    messages.success(request, _("Lead filed."))
                return redirect(lead)
    else:
        form = LeadForm(previous_phases=_earlier_leads(request.user))
    return render(request, "leads/lead_form.html", {"form": form, "stations": stations, "station": station})


def _earlier_leads(user, exclude=None):
    """Leads a new one may follow as a capital increase or later phase: the user's own team's."""
    condition = Q(station__in=stations_for(user, Action.WORK))
    if exclude is not None and exclude.previous_phase_id:
        condition |= Q(pk=exclude.previous_phase_id)  # the link it already has stays a valid choice
    leads = Lead.objects.countable().filter(condition).order_by("-filed_at")
    return leads.exclude(pk=exclude.pk) if exclude else leads


@login_required
def lead_duplicates(request):
    """While a lead is typed: earlier leads that may be the same project (an htmx fragment)."""
    if not user_can(request.user, Action.WORK):
        raise PermissionDenied
    title = request.GET.get("title", "").strip()[:200]
    candidates = services.possible_duplicates(
        title=title, enterprise_name=request.GET.get("enterprise_name", "")[:200],
        credit_code=request.GET.get("credit_code", "")[:18]) if title else []
    visible = set(access.leads_for(request.user).filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True))
    return render(request, "leads/_duplicates.html", {"candidates": candidates, "visible": visible})


@login_required
def lead_detail(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    rules = services.rules_for()
    moves = _form_moves(request.user, lead, rules)
    visits = list(lead.investor_visits.all())
    lead_class, reason = lead.lead_class(visits)
    context = {
        "lead": lead, "lead_class": lead_class, "class_reason": reason, "timeline": selectors.lead_timeline(lead=lead),
        "funds": list(lead.funds.all()), "tags": list(lead.tags.all()),
        "move_form": MoveForm(moves=moves) if moves else None,
        "stage_facts": json.dumps(services.STAGE_FACTS),
        "can_edit": access.can_edit(request.user, lead), "can_screen": access.can_screen(request.user, lead),
        "is_major": (lead.total_investment or 0) >= rules.major_threshold,
        "duplicates": list(lead.duplicates.filter(pk__in=access.leads_for(request.user).values("pk"))
                           .select_related("station")),
        "investor_visit_form": InvestorVisitForm(initial={"date": timezone.localdate()}),
        "funds_form": FundsForm(initial={"date": timezone.localdate()}),
        "can_add_funds": lead.stage in ("signed", "started", "completed", "production")
        and access.owns_later_stages(request.user, lead),
    }
    if context["can_screen"] and lead.duplicate_status == "suspected":
        candidates = services.possible_duplicates(
            title=lead.title, enterprise_name=lead.enterprise.name if lead.enterprise_id else "",
            credit_code=lead.enterprise.credit_code if lead.enterprise_id else "", exclude_pk=lead.pk)
        context["duplicate_form"] = DuplicateForm(candidates=Lead.objects.filter(
            pk__in=[c.pk for c in candidates]))
    owner = access.owns_later_stages(request.user, lead)
    landed = lead.stage in ("signed", "started", "completed", "production")
    plan = FollowUpPlan.objects.filter(lead=lead).first()
    plan_initial = {name: getattr(plan, name) for name in FollowUpPlanForm.base_fields} if plan else None
    context.update({
        "plan": plan,
        "plan_form": FollowUpPlanForm(initial=plan_initial)
        if (context["is_major"] and (context["can_screen"] or owner)) else None,
        "return_visits": list(lead.return_visits.all()),
        # The days the team's logs mention the lead (its own people and readers of the team only).
        "mentions": list(lead.log_mentions.select_related("log__person").order_by("-log__date")[:20])
        if user_can(request.user, Action.VIEW, lead.station) else [],
        "return_visit_form": ReturnVisitForm(initial={"date": timezone.localdate()}) if (owner and landed) else None,
        "outcomes": list(lead.outcomes.all()),
        "outcome_form": OutcomeForm(initial={"year": timezone.localdate().year})
        if (owner and lead.stage in ("completed", "production")) else None,
        "determine_form": DetermineForm(initial={
            "introducer_unit": lead.introducer_unit_id, "introducer_person": lead.introducer_person,
            "service_unit": lead.service_unit_id, "service_secretary": lead.service_secretary,
            "investor_name": lead.investor_name}) if context["can_screen"] else None,
    })
    if context["can_screen"]:
        context["reassign_form"] = ReassignForm(stations=stations_for(request.user, Action.REVIEW).exclude(
            pk=lead.station_id))
    return render(request, "leads/lead_detail.html", context)


@login_required
def lead_update(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    if not access.can_edit(request.user, lead):
        raise PermissionDenied
    locked = services.LOCKED_AFTER_SCREENING if services.screening_over(lead) else ()
    initial = LeadForm.initial_for(lead)
    if request.method == "POST":
        form = LeadForm(request.POST, initial=initial, locked=locked,
                        previous_phases=_earlier_leads(request.user, exclude=lead))
        if form.is_valid():
            data = dict(form.cleaned_data)
            tags = data.pop("tags")
            try:
                services.lead_update(lead=lead, user=request.user, tags=tags, **data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Lead saved."))
                return redirect(lead)
    else:
        form = LeadForm(initial=initial, locked=locked, previous_phases=_earlier_leads(request.user, exclude=lead))
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead})


@login_required
@require_POST
def lead_move(request, pk):
    lead = selectors.lead_get(user=request.user, pk=pk)
    moves = _form_moves(request.user, lead, services.rules_for())
    if not moves:
        raise PermissionDenied
    form = MoveForm(request.POST, request.FILES, moves=moves)
    if form.is_valid():
        try:
            services.lead_move(lead=lead, user=request.user, to_stage=form.cleaned_data["to_stage"],
                               note=form.cleaned_data["note"], evidence=form.cleaned_data["evidence"], **form.facts())
        except ValidationError as error:
            for message in _messages_of(error, form):
                messages.error(request, message)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": Stage(form.cleaned_data["to_stage"]).label})
    else:
        for message in _messages_of(ValidationError(form.errors), form):
            messages.error(request, message)
    return redirect(lead)


def _form_moves(user, lead, rules):
    """The moves this user may make from the lead page (a transfer is a screening meeting's)."""
    return [stage for stage in services.allowed_moves(lead, rules)
            if stage != Stage.TRANSFERRED and services.may_move(user, lead, stage)]


def _messages_of(error: ValidationError, form) -> list[str]:
    """A ValidationError as lines naming the field: "签约日期：此阶段必填。"."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    lines = []
    for name, errors in error.error_dict.items():
        label = form.fields[name].label if name in form.fields else ""
        for item in errors:
            for message in (item.messages if isinstance(item, ValidationError) else [item]):
                lines.append(f"{label}：{message}" if label else str(message))
    return lines


def _post_form_action(request, pk, form_class, action, success, *, allowed, form_kwargs=None):
    """Check `allowed(user, lead)` (403), bind `form_class` to the POST, run `action(lead, data)`,
    message the outcome and go back to the lead."""
    lead = selectors.lead_get(user=request.user, pk=pk)
    if not allowed(request.user, lead):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES, **(form_kwargs(lead) if form_kwargs else {}))
    if form.is_valid():
        try:
            action(lead, form.cleaned_data)
        except ValidationError as error:
            for message in _messages_of(error, form):
                messages.error(request, message)
        else:
            messages.success(request, success)
    else:
        for message in _messages_of(ValidationError(form.errors), form):
            messages.error(request, message)
    return redirect(lead)


@login_required
@require_POST
def lead_resolve_duplicate(request, pk):
    return _post_form_action(
        request, pk, DuplicateForm,
        lambda lead, data: services.lead_resolve_duplicate(lead=lead, user=request.user, original=data["original"],
                                                           reason=data["reason"]),
        _("Duplicate check recorded."),
        allowed=access.can_screen,
        form_kwargs=lambda lead: {"candidates": access.leads_for(request.user).exclude(pk=lead.pk)},
    )


@login_required
@require_POST
def lead_reassign(request, pk):
    return _post_form_action(
        request, pk, ReassignForm,
        lambda lead, data: services.lead_reassign(lead=lead, user=request.user, station=data["station"],
                                                  reason=data["reason"]),
        _("The lead now belongs to the chosen team."),
        allowed=access.can_screen,
        form_kwargs=lambda lead: {"stations": stations_for(request.user, Action.REVIEW)},
    )


@login_required
@require_POST
def investor_visit_add(request, pk):
    return _post_form_action(
        request, pk, InvestorVisitForm,
        lambda lead, data: services.investor_visit_add(lead=lead, user=request.user, **data),
        _("Investor visit recorded."),
        allowed=lambda user, lead: access.can_edit(user, lead) or access.owns_later_stages(user, lead)
        or access.can_screen(user, lead),
    )


@login_required
@require_POST
def funds_add(request, pk):
    return _post_form_action(
        request, pk, FundsForm,
        lambda lead, data: services.funds_add(lead=lead, user=request.user, **data),
        _("Funds in place recorded."),
        allowed=access.owns_later_stages,
    )


# --- Screening meetings ---------------------------------------------------------------------------


def _require_bureau(user):
    if not has_role(user, Role.BUREAU):
        raise PermissionDenied


@login_required
def meeting_list(request):
    _require_bureau(request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            meeting = services.meeting_create(user=request.user, **form.cleaned_data)
            return redirect(meeting)
    else:
        form = MeetingForm(initial={"date": timezone.localdate()})
    return render(request, "leads/meeting_list.html", {
        "meetings": selectors.meeting_list(user=request.user)[:50], "form": form,
        "queue": selectors.screening_queue(user=request.user)[:100],
        "suspected": selectors.suspected_duplicates(user=request.user)[:100],
    })


@login_required
def meeting_detail(request, pk):
    _require_bureau(request.user)
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    queue = selectors.screening_queue(user=request.user)
    if request.method == "POST":
        form = DecisionForm(request.POST, queue=queue)
        if form.is_valid():
            try:
                services.meeting_decide(meeting=meeting, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect(meeting)
    else:
        form = DecisionForm(queue=queue)
    decisions = meeting.decisions.select_related("lead", "lead__station", "transfer_to")
    return render(request, "leads/meeting_detail.html", {"meeting": meeting, "form": form, "decisions": decisions,
                                                         "attendees": meeting.attendees.all()})


# --- Reports --------------------------------------------------------------------------------------


@login_required
def major_report(request):
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
        if not 2000 <= year <= today.year + 1:
            raise ValueError
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    rows = selectors.major_report(user=request.user, year=year, month=month)
    if request.GET.get("format") == "xlsx":
        content = excel.major_report_workbook(rows=rows, user=request.user, now=timezone.localtime(), year=year,
                                              month=month)
        return _xlsx(content, f"major-leads-{year}-{month:02d}.xlsx")
    return render(request, "leads/major_report.html", {
        "rows": rows, "year": year, "month": month, "rules": services.rules_for(), "months": range(1, 13)})


# --- Import ---------------------------------------------------------------------------------------

IMPORT_SESSION_KEY = "leads_import"


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def import_template(request):
    if not (user_can(request.user, Action.WORK) or has_role(request.user, Role.BUREAU)):
        raise PermissionDenied
    return _xlsx(excel.template_workbook(), "lead-import-template.xlsx")


def _import_stations(user):
    if has_role(user, Role.BUREAU):
        return Station.objects.filter(is_active=True).order_by("name")
    return stations_for(user, Action.WORK).order_by("name")


@login_required
def lead_import(request):
    """Upload → a per-row report in Chinese; a valid file is kept until the user confirms."""
    stations = _import_stations(request.user)
    if not stations.exists():
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, stations=stations)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            station = form.cleaned_data["station"]
            try:
                imports.check_upload(upload, upload.name)
                upload.seek(0)
                report = imports.read_ledger(upload, user=request.user, default_station=station)
            except imports.ImportRefused as refused:
                form.add_error("file", str(refused))
            else:
                previous = request.session.pop(IMPORT_SESSION_KEY, None)
                if previous:  # a newer upload replaces a file that was checked but never confirmed
                    (_import_dir() / f"{previous['token']}.xlsx").unlink(missing_ok=True)
                if report.is_valid:
                    token = secrets.token_hex(16)
                    upload.seek(0)
                    (_import_dir() / f"{token}.xlsx").write_bytes(upload.read())
                    request.session[IMPORT_SESSION_KEY] = {"token": token, "station": station.pk if station else None}
    else:
        form = ImportForm(stations=stations)
    return TemplateResponse(request, "leads/lead_import.html", {"form": form, "report": report})


@login_required
@require_POST
def lead_import_confirm(request):
    """Save every row of the checked file, or none; the file is read and checked again."""
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    if not pending:
        messages.error(request, _("There is no checked file to import. Upload it again."))
        return redirect("leads:import")
    path = _import_dir() / f"{pending['token']}.xlsx"
    station = _import_stations(request.user).filter(pk=pending["station"]).first() if pending["station"] else None
    try:
        with path.open("rb") as file_obj:
            report = imports.read_ledger(file_obj, user=request.user, default_station=station)
        leads = imports.import_commit(report, user=request.user)
    except ValueError as error:  # import_commit says which row and why, in Chinese
        messages.error(request, str(error))
        return redirect("leads:import")
    except (OSError, ValidationError, PermissionDenied):
        messages.error(request, _("The file could not be imported; nothing was saved. Upload it again."))
        return redirect("leads:import")
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, _("%(count)d leads imported.") % {"count": len(leads)})
    return redirect("leads:list")


@login_required
def enterprise_detail(request, pk):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    can_edit = services.can_edit_enterprise(request.user, enterprise)
    form = None
    if can_edit:
        form = EnterpriseForm(request.POST if request.method == "POST" else None,
                              instance=Enterprise.objects.get(pk=enterprise.pk))
        if request.method == "POST" and form.is_valid():
            try:
                services.enterprise_update(enterprise=enterprise, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Enterprise saved."))
                return redirect(enterprise)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "leads/enterprise_detail.html", {
        "enterprise": enterprise, "form": form,
        "contacts": enterprise.contacts.filter(station__in=stations_for(request.user, Action.VIEW))
        .select_related("station"),
        "leads": access.leads_for(request.user).filter(enterprise=enterprise).select_related("station"),
        "visits": enterprise.visits.filter(station__in=stations_for(request.user, Action.VIEW))
        .select_related("station")[:50],
    })


# --- Contact book, visits, aftercare ---------------------------------------------------------------


def _team_from_query(request):
    """The team a contact-book or visits page shows: ?team=…, else the user's own first team."""
    visible = stations_for(request.user, Action.VIEW).order_by("name")
    chosen = request.GET.get("team") or request.POST.get("team")
    if chosen:
        try:
            return visible, get_in_scope_or_404(visible, int(chosen))
        except ValueError:
            raise Http404 from None
    own = stations_for(request.user, Action.WORK).order_by("name").first()
    station = own or visible.first()
    if station is None:
        raise PermissionDenied
    return visible, station


def _team_book(request, *, form_class, add, success, url_name, template, context, form_kwargs=None, initial=None):
    """A team's page with an add form (contact book, visit log): anyone who sees the team reads it,
    only its own members add to it (403 otherwise); the service writes."""
    teams, station = _team_from_query(request)
    can_work = user_can(request.user, Action.WORK, station)
    form_kwargs = form_kwargs(station) if form_kwargs else {}
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                add(user=request.user, station=station, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(f"{reverse(url_name)}?team={station.pk}")
    else:
        form = form_class(initial=initial, **form_kwargs)
    return render(request, template, {"teams": teams, "station": station, "form": form if can_work else None,
                                      **context(station)})


@login_required
def contact_book(request):
    return _team_book(
        request, form_class=ContactForm, add=services.contact_add, success=_("Contact added."),
        url_name="leads:contacts", template="leads/contact_book.html",
        context=lambda station: {"contacts": selectors.contact_book(user=request.user, station=station)},
    )


@login_required
def visit_log(request):
    return _team_book(
        request, form_class=VisitForm, add=services.visit_add, success=_("Visit recorded."),
        url_name="leads:visits", template="leads/visit_log.html",
        form_kwargs=lambda station: {"station": station}, initial={"date": timezone.localdate()},
        context=lambda station: {
            "summary": selectors.visit_summary(station=station, rules=services.rules_for()),
            "visits": selectors.visit_list(station=station)[:100],
        },
    )


@login_required
@require_POST
def lead_determine(request, pk):
    return _post_form_action(
        request, pk, DetermineForm,
        lambda lead, data: services.lead_determine(lead=lead, user=request.user, **data),
        _("Determination recorded."), allowed=access.can_screen)


@login_required
@require_POST
def follow_up_plan(request, pk):
    return _post_form_action(
        request, pk, FollowUpPlanForm,
        lambda lead, data: services.follow_up_plan_set(lead=lead, user=request.user, **data),
        _("Follow-up plan saved."),
        allowed=lambda user, lead: access.can_screen(user, lead) or access.owns_later_stages(user, lead))


@login_required
@require_POST
def return_visit_add(request, pk):
    return _post_form_action(
        request, pk, ReturnVisitForm,
        lambda lead, data: services.return_visit_add(lead=lead, user=request.user, **data),
        _("Return visit recorded."), allowed=access.owns_later_stages)


@login_required
@require_POST
def outcome_add(request, pk):
    return _post_form_action(
        request, pk, OutcomeForm,
        lambda lead, data: services.outcome_set(lead=lead, user=request.user, **data),
        _("Output and tax recorded."), allowed=access.owns_later_stages)


PARK_HOME_LEADS = 10


def park_home_section(user):
    """The start page's section for a park: the newest leads transferred to it, with their count
    (`stations.views.HOME_SECTIONS`); None for anyone else."""
    unit_id = unit_of(user)
    if not (unit_id and has_role(user, Role.PARK)):
        return None
    leads = (access.leads_for(user).countable().filter(transferred_to_id=unit_id)
             .select_related("station", "enterprise")
             .order_by(F("transferred_at").desc(nulls_last=True), "-pk"))
    return "leads/_park_home.html", {"leads": list(leads[:PARK_HOME_LEADS]), "count": leads.count()}
