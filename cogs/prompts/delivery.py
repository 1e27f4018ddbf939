"""The Discord side of one day's post: the channel check, the send, and the look for a send
that may have reached Discord before a crash.

A send that was started may have landed. Text channels: the bot's message whose embed footer
carries the day's marker, among the channel's 50 newest messages; and the re-send carries
the claim's nonce, which makes Discord itself return the earlier message instead of a second
one within its dedupe window. Forum channels (no nonce on new posts): the bot's active post
with the day's title. The residual risk is a crash after Discord accepted a message that has
since scrolled past 50 newer messages and outlived the nonce window: the day is posted
twice. We prefer that to skipping a day silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.checks import missing_permissions
from bot.library import Value
from bot.sendqueue import SendQueue, transient
from bot.store.prompts import Post
from cogs.prompts import messages
from cogs.prompts.messages import (
    FORUM_PERMISSIONS,
    TEXT_PERMISSIONS,
    marker,
    prompt_embed,
    thread_name,
)
from cogs.prompts.threads import open_thread

if TYPE_CHECKING:
    from bot.client import KindredBot

HISTORY_LOOKBACK = 50  # messages searched for a post that may have landed before a crash


def prompt_channel(guild: discord.Guild, channel_id: int):
    """The channel to post in, or Undeliverable saying why it cannot take the post."""
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
        raise messages.channel_gone(channel_id)
    needed = FORUM_PERMISSIONS if isinstance(channel, discord.ForumChannel) else TEXT_PERMISSIONS
    missing = missing_permissions(channel, needed)
    if missing:
        raise messages.missing(channel_id, missing)
    return channel


async def send_post(
    bot: KindredBot, queue: SendQueue, guild: discord.Guild, post: Post, value: Value
) -> tuple[int, int | None, str]:
    """Send the day's post; (message id, thread id, link). Counts the attempt first."""
    channel = prompt_channel(guild, post.channel_id)
    forum = isinstance(channel, discord.ForumChannel)
    embed = prompt_embed(value, post.prompt_text, post.local_date, forum=forum)
    name = thread_name(value, post.local_date)
    await bot.store.prompts.start_attempt(post.post_id)
    try:
        if forum:
            tags = [
                tag
                for tag in channel.available_tags
                if tag.name.casefold() in (value.name.casefold(), value.key.casefold())
            ]
            created = await queue.call(
                channel.create_thread,
                name=name,
                embed=embed,
                applied_tags=tags[:1],
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return created.message.id, created.thread.id, created.message.jump_url
        message = await queue.call(
            channel.send,
            embed=embed,
            nonce=post.nonce,
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException as error:
        if transient(error):
            raise
        raise messages.refused(post.channel_id, error) from None
    thread_id = await open_thread(queue, guild, message, name)
    return message.id, thread_id, message.jump_url


async def find_posted(
    bot: KindredBot, queue: SendQueue, guild: discord.Guild, post: Post
) -> tuple[int, int | None, str] | None:
    """The day's post, if an earlier send reached Discord; (message id, thread id, link)."""
    channel = guild.get_channel(post.channel_id or 0)
    me = bot.user
    if channel is None or me is None:
        return None
    value = bot.library.value(post.value_key or "")
    if isinstance(channel, discord.ForumChannel):
        if value is None:
            return None
        name = thread_name(value, post.local_date)
        for thread in await queue.call(guild.active_threads):
            if thread.parent_id == channel.id and thread.owner_id == me.id and thread.name == name:
                return thread.id, thread.id, thread.jump_url
        return None
    if not isinstance(channel, discord.TextChannel):
        return None
    await queue.acquire()
    async for message in channel.history(limit=HISTORY_LOOKBACK):
        if message.author.id == me.id and any(
            embed.footer.text == marker(post.local_date) for embed in message.embeds
        ):
            thread_id = None
            if value is not None:
                thread_id = await open_thread(
                    queue, guild, message, thread_name(value, post.local_date)
                )
            return message.id, thread_id, message.jump_url
    return None
