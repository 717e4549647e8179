"""Views of the `stations` app: thin — fetch through a selector, bind a form, call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView

from . import accountability, duty, selectors, services, warnings
from .exports import roster_workbook
from .forms import PersonForm, PostingEndForm, PostingForm, StationForm, WorkLogForm, apply_service_errors
from .models import Station, StationKind, TodoItem, WorkLog
from .models.security import SecurityEventKind
from .permissions import Action, Role, has_role, own_station_ids, roles_of, stations_for, unit_of, user_can
from .security import password_confirmed_required, record

# Teams listed on a reader's home page (the team list pages through all of them).
HOME_TEAMS = 20


# Sections other apps add to the start page (the leads app: the leads transferred to a park), from
# their `AppConfig.ready`: each is called with the user and returns a template name and its
# context, or None when it has nothing for that user.
HOME_SECTIONS: list = []


class HomeView(LoginRequiredMixin, TemplateView):
    """The start page, by role: teams for readers of all teams, one's own team, or one's people."""

    template_name = "stations/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["todos"] = selectors.todo_list(user=user)[:10]
        context["own_stations"] = selectors.station_list(user=user).filter(pk__in=own_station_ids(user))
        context["is_reader"] = user_can(user, Action.VIEW) and bool(
            user.is_superuser or roles_of(user) - {Role.PARK, Role.HOME_UNIT}
        )
        if context["is_reader"]:
            # The first teams only, with the count and a link to the paged list: a province has
            # a thousand, and the home page is the one every reader opens first.
            stations = selectors.station_list(user=user)
            context["stations"] = list(stations[:HOME_TEAMS])
            context["station_count"] = stations.count()
        elif has_role(user, Role.HOME_UNIT):
            context["home_unit_stations"] = selectors.station_list(user=user)
        context["sections"] = [section for section in (provide(user) for provide in HOME_SECTIONS) if section]
        if has_role(user, Role.BUREAU):
            # Counted and cut in the database: a province has thousands of warnings.
            visible = stations_for(user, Action.VIEW)
            warnings.refresh(visible)
            open_rows = warnings.stored_rows(visible).filter(handled=False)
            context["warnings"] = [warnings.as_warning(row) for row in open_rows[:8]]
            context["warning_count"] = open_rows.count()
        context["profile"] = selectors.active_profile()
        return context


class StationListView(LoginRequiredMixin, ListView):
    template_name = "stations/station_list.html"
    context_object_name = "stations"
    paginate_by = 50

    def get_queryset(self):
        return selectors.station_list(
            user=self.request.user,
            kind=self.request.GET.get("kind", ""),
            q=self.request.GET.get("q", "").strip(),
            include_inactive=self.request.GET.get("inactive") == "1",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = StationKind.choices
        context["can_manage"] = user_can(self.request.user, Action.MANAGE)
        context["can_export"] = user_can(self.request.user, Action.EXPORT_PEOPLE)
        return context


class StationDetailView(LoginRequiredMixin, TemplateView):
    template_name = "stations/station_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        station = selectors.station_get(user=user, pk=self.kwargs["pk"])
        return super().get_context_data(
            station=station,
            postings=selectors.station_postings(station=station),
            units=station.station_units.select_related("unit"),
            branches=selectors.station_list(user=user).filter(parent=station),
            can_manage=user_can(user, Action.MANAGE, station),
            history=selectors.station_history(station=station) if user_can(user, Action.MANAGE, station) else [],
            today=timezone.localdate(),
            **kwargs,
        )


class StationCreateView(LoginRequiredMixin, FormView):
    template_name = "stations/station_form.html"
    form_class = StationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_can(request.user, Action.MANAGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        forming, lead = data.pop("forming_units"), data.pop("lead_units")
        try:
            station = services.station_create(user=self.request.user, forming_units=forming, lead_units=lead, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Team %(name)s created.") % {"name": station.name})
        return redirect(station)


class StationUpdateView(LoginRequiredMixin, FormView):
    template_name = "stations/station_form.html"
    form_class = StationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.station = selectors.station_get(user=request.user, pk=kwargs["pk"], action=Action.MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.station}

    def get_context_data(self, **kwargs):
        return super().get_context_data(station=self.station, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        forming, lead = data.pop("forming_units"), data.pop("lead_units")
        # The ModelForm already copied the values onto the instance; start from the stored row.
        self.station.refresh_from_db()
        try:
            services.station_update(
                station=self.station, user=self.request.user, forming_units=forming, lead_units=lead, **data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Team saved."))
        return redirect(self.station)


class PostingCreateView(LoginRequiredMixin, FormView):
    template_name = "stations/posting_form.html"
    form_class = PostingForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.station = selectors.station_get(user=request.user, pk=kwargs["pk"], action=Action.MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station}

    def get_context_data(self, **kwargs):
        return super().get_context_data(station=self.station, **kwargs)

    def form_valid(self, form):
        try:
            posting = services.posting_create(user=self.request.user, station=self.station, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(person)s posted to %(station)s.") % {
            "person": posting.person.name, "station": self.station.name})
        return redirect(self.station)


class PostingUpdateView(LoginRequiredMixin, FormView):
    template_name = "stations/posting_form.html"
    form_class = PostingForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.posting = selectors.posting_get(user=request.user, pk=kwargs["pk"], action=Action.MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.posting.station, "instance": self.posting}

    def get_context_data(self, **kwargs):
        return super().get_context_data(station=self.posting.station, posting=self.posting, **kwargs)

    def form_valid(self, form):
        self.posting.refresh_from_db()
        try:
            services.posting_update(posting=self.posting, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Posting saved."))
        return redirect(self.posting.station)


class PostingEndView(LoginRequiredMixin, FormView):
    template_name = "stations/posting_end.html"
    form_class = PostingEndForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.posting = selectors.posting_get(user=request.user, pk=kwargs["pk"], action=Action.MANAGE)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"ended_on": timezone.localdate()}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "posting": self.posting}

    def get_context_data(self, **kwargs):
        return super().get_context_data(posting=self.posting, station=self.posting.station, **kwargs)

    def form_valid(self, form):
        try:
            services.posting_end(
                posting=self.posting,
                user=self.request.user,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Posting ended."))
        return redirect(self.posting.station)


class PersonListView(LoginRequiredMixin, ListView):
    template_name = "stations/person_list.html"
    context_object_name = "people"
    paginate_by = 50

    def get_queryset(self):
        return selectors.person_list(user=self.request.user, q=self.request.GET.get("q", "").strip())

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=user_can(self.request.user, Action.MANAGE), **kwargs)


class PersonDetailView(LoginRequiredMixin, TemplateView):
    template_name = "stations/person_detail.html"

    def get_context_data(self, **kwargs):
        person = selectors.person_get(user=self.request.user, pk=self.kwargs["pk"])
        postings = person.postings.select_related("station", "home_unit").order_by("ended_on", "-start_date")
        user = self.request.user
        may_record = any(accountability.offices_for(user, posting.station) for posting in postings
                         if not posting.ended_on)
        # Accountability records are read by the reviewing offices, the offices that record them,
        # the person's own home unit and the person — not by a colleague reading the page.
        see_records = (user_can(user, Action.REVIEW) or may_record or getattr(user, "person", None) == person
                       or (has_role(user, Role.HOME_UNIT) and person.home_unit_id
                           and person.home_unit_id == unit_of(user)))
        return super().get_context_data(
            person=person, postings=postings, can_manage=user_can(user, Action.MANAGE),
            records=accountability.records_of(person=person) if see_records else None, may_record=may_record,
            **kwargs
        )


class PersonFormView(LoginRequiredMixin, FormView):
    """Create a person (no pk) or edit one (pk); bureau only."""

    template_name = "stations/person_form.html"
    form_class = PersonForm

    def dispatch(self, request, *args, **kwargs):
        self.person = None
        if request.user.is_authenticated:
            if not user_can(request.user, Action.MANAGE):
                raise PermissionDenied
            if "pk" in kwargs:
                self.person = selectors.person_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            if self.person is None:
                person = services.person_create(user=self.request.user, **form.cleaned_data)
            else:
                self.person.refresh_from_db()
                person = services.person_update(person=self.person, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(name)s.") % {"name": person.name})
        return redirect(person)


class UnitDetailView(LoginRequiredMixin, TemplateView):
    template_name = "stations/unit_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unit = selectors.unit_get(user=user, pk=self.kwargs["pk"])
        return super().get_context_data(
            unit=unit,
            stations=selectors.station_list(user=user).filter(station_units__unit=unit).distinct(),
            people=selectors.unit_people(user=user, unit=unit),
            **kwargs,
        )


class TodoListView(LoginRequiredMixin, ListView):
    template_name = "stations/todo_list.html"
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self):
        return selectors.todo_list(user=self.request.user, include_done=self.request.GET.get("done") == "1")


@login_required
@require_POST
def todo_done(request, pk):
    # Only the user's own items are found at all: another user's item is a 404.
    item = get_object_or_404(TodoItem, pk=pk, user=request.user)
    try:
        services.todo_done(item=item, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as done."))
    return redirect("stations:todo_list")


class ProfileDetailView(LoginRequiredMixin, TemplateView):
    template_name = "stations/profile_detail.html"

    def get_context_data(self, **kwargs):
        profile = selectors.profile_get(pk=self.kwargs["pk"])
        versions = profile.versions.prefetch_related("team_kinds", "approval_steps", "accountability_rules")
        return super().get_context_data(profile=profile, versions=versions, **kwargs)


class ProfileListView(LoginRequiredMixin, ListView):
    template_name = "stations/profile_list.html"
    context_object_name = "profiles"

    def get_queryset(self):
        return selectors.profile_list()


@method_decorator(password_confirmed_required, name="get")
class RosterExportView(LoginRequiredMixin, TemplateView):
    """The roster of current postings with personal data, as Excel (asks for the password)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_can(request.user, Action.EXPORT_PEOPLE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        now = timezone.localtime()
        content = roster_workbook(postings=selectors.roster(user=request.user), user=request.user, now=now)
        record(SecurityEventKind.PERSONAL_DATA_EXPORT, request=request, detail="roster")
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"roster-{now:%Y%m%d-%H%M}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response



# --- Work logs --------------------------------------------------------------------------------


@login_required
def worklog_today(request):
    """Write today's (or a past day's) log from a phone, with what extensions add (the leads app:
    the enterprises and leads the day's work was about)."""
    stations = Station.objects.filter(pk__in=own_station_ids(request.user)).order_by("name")
    if not stations.exists():
        raise PermissionDenied
    today = timezone.localdate()
    station_ids = [station.pk for station in stations]
    if request.method == "POST":
        form = WorkLogForm(request.POST, stations=stations)
        extensions = [(extension, extension.form(request.user, station_ids, data=request.POST))
                      for extension in duty.WORKLOG_EXTENSIONS]
        if form.is_valid() and all(extra.is_valid() for _extension, extra in extensions):
            try:
                log = duty.worklog_save(user=request.user, extension_forms=extensions, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Log saved for %(date)s.") % {"date": log.date})
                return redirect(log)
    else:
        existing = WorkLog.objects.filter(person__user=request.user, date=today).first()
        form = WorkLogForm(stations=stations, initial={
            "station": existing.station_id if existing else stations.first().pk, "date": today,
            "whereabouts": existing.whereabouts if existing else "at_post",
            "activities": existing.activities if existing else "",
            "activity_kinds": existing.activity_kinds if existing else []})
        extensions = [(extension, extension.form(request.user, station_ids, log=existing))
                      for extension in duty.WORKLOG_EXTENSIONS]
    return render(request, "stations/worklog_form.html", {
        "form": form, "extra_forms": [extra for _extension, extra in extensions]})


@login_required
def worklog_month(request):
    """One person's month (default: oneself) with days at post against the target."""
    person_id = request.GET.get("person") or getattr(getattr(request.user, "person", None), "pk", None)
    if person_id is None or not str(person_id).isdigit():
        raise Http404
    person = selectors.person_get(user=request.user, pk=int(person_id))
    year, month = duty.parse_month(request.GET.get("month"), timezone.localdate())
    posting = person.current_postings[0] if person.current_postings else None
    if posting is None:
        raise Http404
    return render(request, "stations/worklog_month.html", {
        "person": person, "station": posting.station, "year": year, "month": month,
        "calendar": duty.person_month(user=request.user, person=person, station=posting.station, year=year,
                                      month=month),
        "previous": _shift_month(year, month, -1), "next": _shift_month(year, month, 1),
    })


@login_required
def team_month(request, pk):
    station = selectors.station_get(user=request.user, pk=pk)
    year, month = duty.parse_month(request.GET.get("month"), timezone.localdate())
    return render(request, "stations/team_month.html", {
        "station": station, "year": year, "month": month,
        "grid": duty.team_month(station=station, year=year, month=month),
        "previous": _shift_month(year, month, -1), "next": _shift_month(year, month, 1),
    })


def _shift_month(year, month, delta):
    index = year * 12 + (month - 1) + delta
    return f"{index // 12}-{index % 12 + 1:02d}"
