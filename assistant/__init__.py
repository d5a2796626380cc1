"""The assistant: `Assistant.ask(question, conversation=None) -> Answer`, cited and extractive by default."""

from assistant.conversation import Conversation, Turn
from assistant.core import Assistant
from assistant.models import Answer, AnswerPoint, Citation, ClosestSection

__all__ = ["Answer", "AnswerPoint", "Assistant", "Citation", "ClosestSection", "Conversation", "Turn"]
