"""Flask-WTF forms: every POST form carries the CSRF token and validates its fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from .i18n import LANGUAGES

__all__ = ["CalcForm", "LanguageForm", "LoginForm", "LogoutForm", "UploadForm", "VerifyForm"]


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=list(LANGUAGES))
    next = HiddenField()


class CalcForm(FlaskForm):
    methodology = SelectField(_l("Methodology"), validators=[DataRequired()])
    version = StringField(_l("Version"), default="1", validators=[DataRequired(),
                                                                  Length(max=16)])
    inputs = TextAreaField(_l("Inputs (JSON)"), validators=[DataRequired(),
                                                            Length(max=200_000)])


class UploadForm(FlaskForm):
    device = StringField(_l("Device"), validators=[
        DataRequired(), Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")])
    file = FileField(_l("File (CSV or JSON)"), validators=[FileRequired()])
    period = SelectField(_l("Batch period"), choices=[SelectChoice("day", _l("day")),
                                                      SelectChoice("month", _l("month"))],
                         default="day")
    dry_run = BooleanField(_l("Check only (do not store)"))


class VerifyForm(FlaskForm):
    file = FileField(_l("Signed certificate (JSON)"), validators=[FileRequired()])
