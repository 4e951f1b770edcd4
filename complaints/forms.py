"""Intake forms: they parse input; complaints.services.intake decides."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Channel, Report
from complaints.services.intake import DESCRIPTION_MAX, TITLE_MAX, PhotoUpload
from routing.models import Area


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files under one name; the photo service checks their content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(
                attrs={
                    "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def photo_uploads(files) -> list[PhotoUpload]:
    """Read each upload, never more than one byte past the size limit, so an
    oversize file is refused without being held in memory."""
    limit = settings.WARGA_MAX_PHOTO_BYTES
    uploads = []
    for f in files:
        f.seek(0)
        uploads.append(PhotoUpload(name=f.name or "", data=f.read(limit + 1)))
    return uploads


class ReportForm(forms.Form):
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("One or more photos of the problem (JPEG, PNG, WebP or HEIC)."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("Choose a category"),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("Address or landmark"), max_length=255, required=False
    )
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    location_source = forms.ChoiceField(
        widget=forms.HiddenInput,
        required=False,
        choices=[
            (Report.LocationSource.PIN, Report.LocationSource.PIN.label),
            (Report.LocationSource.DEVICE, Report.LocationSource.DEVICE.label),
        ],
    )
    reporter_name = forms.CharField(
        label=_("Your name"), max_length=120, required=False
    )
    reporter_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    reporter_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    public_name = forms.CharField(
        label=_("Name shown on the public site (optional)"),
        max_length=60,
        required=False,
        help_text=_(
            "Leave it empty to appear as “a citizen”. Your name, email and phone "
            "are never shown to the public."
        ),
    )

    # Fields whose errors the template shows beside the map.
    location_fields = ("latitude", "longitude", "location_source")

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            if field == "location":
                target = "latitude"  # shown beside the map, see location_errors
            elif field in self.fields:
                target = field
            else:
                target = None
            for message in messages:
                self.add_error(target, message)

    def location_errors(self) -> list[str]:
        return [m for name in self.location_fields for m in self.errors.get(name, [])]


class OfficerReportForm(ReportForm):
    """An officer types in a report from a desk, the phone, a letter or the press."""

    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.filter(is_active=True, is_offline=True),
        empty_label=_("Choose a channel"),
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Area.objects.filter(level=Area.Level.KELURAHAN).select_related(
            "parent"
        ),
        required=False,
        help_text=_("When there is no map pin."),
    )
    field_order = ["channel"]
