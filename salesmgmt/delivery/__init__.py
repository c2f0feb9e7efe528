"""Reaching people where they work: the weekly brief (PDF, phone image, markdown), subscriptions
of WeCom and DingTalk group bots and e-mail, alerts, and sending what is due."""
