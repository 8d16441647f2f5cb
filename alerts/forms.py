"""The subscription form: the address and how often.  What to follow is the search page's
own parameters, read by ``search.request.SearchForm`` (see ``services.criteria_of``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"), max_length=254,
        error_messages={"required": _("Enter the address the alerts should go to."),
                        "invalid": _("Enter a valid email address, like name@example.org.")},
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY,
        required=False, widget=forms.RadioSelect,
    )

    def clean_frequency(self) -> str:
        return self.cleaned_data.get("frequency") or Frequency.DAILY
