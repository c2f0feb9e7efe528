"""Subscriptions (订阅推送): the weekly brief and alerts pushed to a WeCom or DingTalk group or to
e-mail. A director manages every subscription, a manager those of their own teams and regions
(salesmgmt.delivery.subscriptions enforces it); each can send a test now and read the log of
deliveries. Destinations are shown masked and secrets never."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from app import blocks as pp
from app import layout, queries, session, tables
from app.texts import lang, show_error, t
from salesmgmt.auth import list_users
from salesmgmt.delivery import alert_rules, alerts, sending, subscriptions
from salesmgmt.delivery.audience import Audience
from salesmgmt.delivery.channels import CHANNELS
from salesmgmt.errors import SalesmgmtError
from salesmgmt.i18n import t as translate
from salesmgmt.metrics.directory import filter_options

layout.page_header("page.subscriptions", t("sub.caption"))
pp.show_flash()
user = st.session_state.get("user")
language = lang()  # bound now: format functions may be called outside a script run


def audiences() -> list[Audience]:
    """Whose brief this user may subscribe to: the teams and regions of their scope; the
    company and any user's scope for a director (or the app running open); a manager's own."""
    options = queries.query(filter_options, session.scope_filters())
    teams = sorted({team for team, _ in options["team_regions"]})
    director = user is None or user.role == "director"
    regions = list(options["regions"]) if director else list(user.regions)
    found = [Audience("team", team) for team in teams] + [Audience("region", r) for r in regions]
    if director:
        usernames = [row["username"] for row in queries.call(list_users) if row["active"]]
        return [Audience("company"), *found, *(Audience("user", name) for name in usernames)]
    return [*found, Audience("user", user.username)]


def send_test(subscription_id: int) -> None:
    with st.spinner(t("sub.testing")):
        try:
            attempt = queries.write(sending.send_test, subscription_id, sending.now(), by=user)
        except SalesmgmtError as exc:
            show_error(exc)
            return
    if attempt.ok:
        st.success(t("sub.test_sent", detail=attempt.detail), icon=":material/check_circle:")
    else:
        st.error(t("sub.test_failed", detail=attempt.detail), icon=":material/error:")


def remove(subscription_id: int) -> None:
    try:
        queries.write(subscriptions.remove_subscription, subscription_id, user)
    except SalesmgmtError as exc:
        show_error(exc)
        return
    pp.flash(t("sub.removed", id=subscription_id))
    st.rerun()


def draw_subscription(sub: subscriptions.Subscription) -> None:
    shown = sub.view(language)
    with st.container(border=True, key=f"sub_{sub.subscription_id}"):
        st.markdown(
            t(
                "sub.card.title",
                id=shown.subscription_id,
                channel=t(f"sub.channel.{shown.channel}"),
                audience=shown.audience,
            )
        )
        details = [
            t("sub.card.to", to=shown.destination),
            shown.schedule,
            t(f"sub.lang.{shown.lang}"),
            t("sub.card.by", by=shown.created_by),
        ]
        if sub.channel == "dingtalk":
            details.insert(3, t("sub.card.secret", secret=shown.secret))
        st.caption(" · ".join(details))
        if sub.alerts:
            st.caption(
                t("sub.card.alerts")
                + " "
                + "; ".join(
                    alerts.rule_description(alert_rules.RULES[name], language, n)
                    for name, n in sub.alerts.items()
                )
            )
        test_col, remove_col, _ = st.columns([1, 1, 3])
        if test_col.button(t("sub.test"), key=f"sub_test_{sub.subscription_id}", icon=":material/send:"):
            send_test(sub.subscription_id)
        with remove_col.popover(t("sub.remove"), icon=":material/delete:"):
            st.write(t("sub.remove_confirm", id=sub.subscription_id))
            if st.button(t("sub.remove"), key=f"sub_remove_{sub.subscription_id}", type="primary"):
                remove(sub.subscription_id)


def add_form() -> None:
    choices = audiences()
    with st.form("sub_add", border=True):
        st.markdown(t("sub.add.title"))
        left, right = st.columns(2)
        channel = left.selectbox(
            t("sub.add.channel"),
            CHANNELS,
            format_func=lambda c: translate(f"sub.channel.{c}", language),
            key="sub_channel",
        )
        audience = right.selectbox(
            t("sub.add.audience"), choices, format_func=lambda a: a.describe(language), key="sub_audience"
        )
        destination = st.text_input(t("sub.add.to"), help=t("sub.add.to_help"), key="sub_to")
        secret = st.text_input(
            t("sub.add.secret"), type="password", help=t("sub.add.secret_help"), key="sub_secret"
        )
        left, right = st.columns(2)
        when = left.text_input(
            t("sub.add.schedule"), value="mon 08:00", help=t("sub.add.schedule_help"), key="sub_when"
        )
        sub_lang = right.selectbox(
            t("sub.add.lang"),
            ("zh", "en"),
            index=0 if language == "zh" else 1,
            format_func=lambda code: translate(f"sub.lang.{code}", language),
            key="sub_lang",
        )
        st.caption(t("sub.add.alerts"))
        switched: dict[str, int] = {}
        for name, rule in alert_rules.RULES.items():
            on_col, n_col = st.columns([4, 1], vertical_alignment="center")
            on = on_col.checkbox(alerts.rule_description(rule, language, None), key=f"sub_alert_{name}")
            n = n_col.number_input(
                t(rule.unit_key),
                min_value=rule.low,
                max_value=rule.high,
                value=rule.default,
                step=1,
                key=f"sub_alert_n_{name}",
            )
            if on:
                switched[name] = int(n)
        submitted = st.form_submit_button(t("sub.add.submit"), type="primary", icon=":material/add:")
    if not submitted:
        return
    try:
        added = queries.write(
            subscriptions.add_subscription,
            user,
            channel=channel,
            destination=destination,
            audience=audience,
            when=when,
            lang=sub_lang,
            secret=secret or None,
            alerts=switched,
        )
    except SalesmgmtError as exc:
        show_error(exc)
        return
    pp.flash(t("sub.added", id=added.subscription_id, audience=added.audience.describe(language)))
    for key in ("sub_to", "sub_secret"):  # a webhook key or secret is never shown back
        st.session_state.pop(key, None)
    st.rerun()


def log_frame(entries: list[subscriptions.LogEntry]) -> pd.DataFrame:
    """The log as the table shows it: the moment to the second, the kind and the result in words."""
    frame = pd.DataFrame([asdict(e) for e in entries])
    return frame.assign(
        attempted_at=frame["attempted_at"].map(lambda v: v.strftime("%Y-%m-%d %H:%M:%S")),
        subscription=frame["subscription_id"].map(lambda v: f"#{v}"),
        delivery_kind=frame["kind"].map(lambda k: t(f"sub.kind.{k}")),
        result=frame["ok"].map(lambda ok: t("delivery.result.ok" if ok else "delivery.result.failed")),
    )


try:
    current = queries.query(subscriptions.list_subscriptions, user)
except SalesmgmtError as error:
    show_error(error)
    st.stop()

st.subheader(t("sub.list.title"))
if not current:
    st.info(t("sub.list.none"), icon=":material/info:")
for item in current:
    draw_subscription(item)

add_form()

st.subheader(t("sub.log.title"))
log = queries.query(subscriptions.delivery_log, user)  # read after a test sent above
if not log:
    st.info(t("sub.log.none"), icon=":material/info:")
else:
    tables.show(
        log_frame(log),
        [
            "attempted_at",
            "subscription",
            "delivery_kind",
            "result",
            tables.Column("detail", label="sub.col.detail"),
        ],
        key="sub_log",
    )
