"""The Slack channel: a Bolt app answering @mentions, DMs and `/vsh` in threads (Socket Mode or HTTP)."""

from bots.slack.app import build_slack_app
from bots.slack.bot import SlackBot
from bots.slack.http import mount_slack, mount_slack_if_configured, slack_configured, slack_router

__all__ = [
    "SlackBot",
    "build_slack_app",
    "mount_slack",
    "mount_slack_if_configured",
    "slack_configured",
    "slack_router",
]
