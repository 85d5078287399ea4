"""Self-tests of the fake Discord server (tests/fakecord) with a tiny, real discord.py commands.Bot."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from fakecord import ALL_PERMISSIONS, CommandNotAvailable, FakeDiscord, Perm, World, limits, overwrite

FRUITS = ["apple", "apricot", "banana", "blueberry", "california plum", "cherry"]


class Counter(discord.ui.View):
    """A button that only its owner may press, and a select."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=60)
        self.owner_id = owner_id
        self.count = 0

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("These buttons are not yours.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="+1", custom_id="counter:inc", style=discord.ButtonStyle.primary)
    async def inc(self, interaction: discord.Interaction, button: discord.ui.Button[Counter]) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count={self.count}", view=self)

    @discord.ui.select(
        custom_id="counter:colour",
        options=[
            discord.SelectOption(label="Red", value="red"),
            discord.SelectOption(label="Blue", value="blue"),
        ],
    )
    async def colour(self, interaction: discord.Interaction, select: discord.ui.Select[Counter]) -> None:
        await interaction.response.edit_message(content=f"colour={select.values[0]}", view=self)


class Feedback(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Your feedback", custom_id="fb:text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class TinyBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.1,
            heartbeat_timeout=10.0,
        )
        self.guild_id = guild_id
        self.resumed = 0
        self.double_ack: tuple[int, int] | None = None
        self.late_error: tuple[int, int] | None = None
        self.answer_late = asyncio.Event()  # /sleepy answers once the test sets this

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=discord.Object(self.guild_id))
        await self.tree.sync()

    async def on_resumed(self) -> None:
        self.resumed += 1


def make_bot(guild_id: int) -> TinyBot:
    bot = TinyBot(guild_id)
    g = discord.Object(guild_id)

    @bot.tree.command(name="ping", description="Global ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @bot.tree.command(name="hello", description="Say hello with an embed", guild=g)
    async def hello(interaction: discord.Interaction, name: str | None = None) -> None:
        embed = discord.Embed(title="Hello", description=f"Hi {name or interaction.user.display_name}")
        embed.add_field(name="Guild", value=interaction.guild.name if interaction.guild else "?")
        await interaction.response.send_message(embed=embed)

    @bot.tree.command(name="secret", description="Ephemeral answer", guild=g)
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you can see this", ephemeral=True)

    @bot.tree.command(name="fruit", description="Pick a fruit", guild=g)
    async def fruit(interaction: discord.Interaction, name: str, count: int = 1) -> None:
        await interaction.response.send_message(f"{count} x {name}")

    @fruit.autocomplete("name")
    async def fruit_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current.lower())]

    @bot.tree.command(name="many", description="Autocomplete with too many choices", guild=g)
    async def many(interaction: discord.Interaction, q: str) -> None:
        await interaction.response.send_message(q)

    @many.autocomplete("q")
    async def many_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"item {i}", value=f"item-{i}") for i in range(30)]

    @bot.tree.command(name="bigembed", description="Embed over the limits", guild=g)
    async def bigembed(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(
                embed=discord.Embed(title="t" * 300, description="d" * 4097)
            )
        except discord.HTTPException:
            await interaction.response.send_message("Sorry, that answer was too long.", ephemeral=True)

    @bot.tree.command(name="report", description="Deferred then edited", guild=g)
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.1)
        await interaction.edit_original_response(content="report ready")
        await interaction.followup.send("details", ephemeral=True)

    @bot.tree.command(name="counter", description="A button", guild=g)
    async def counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count=0", view=Counter(interaction.user.id))

    @bot.tree.command(name="feedback", description="Opens a modal", guild=g)
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @bot.tree.command(name="sleepy", description="Answers too late", guild=g)
    async def sleepy(interaction: discord.Interaction) -> None:
        await bot.answer_late.wait()
        try:
            await interaction.response.send_message("late")
        except discord.HTTPException as e:
            bot.late_error = (e.status, e.code)

    @bot.tree.command(name="double", description="Acknowledges twice", guild=g)
    async def double(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        try:
            await discord.InteractionResponse(interaction).send_message("second")
        except discord.HTTPException as e:
            bot.double_ack = (e.status, e.code)

    @bot.tree.command(name="upload", description="Echo an attachment", guild=g)
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{file.filename}: {len(data)} bytes",
            file=discord.File(io.BytesIO(data.upper()), filename="echo.txt"),
        )

    @bot.tree.command(name="config", description="Moderators only", guild=g)
    @app_commands.default_permissions(manage_guild=True)
    async def config(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("config ok", ephemeral=True)

    daily = app_commands.Group(name="daily", description="Daily posts", guild_ids=[guild_id])

    @daily.command(name="subscribe", description="Subscribe a channel to the daily post")
    async def subscribe(
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        hour: app_commands.Range[int, 0, 23] = 9,
    ) -> None:
        await interaction.response.send_message(f"subscribed {channel.name} at {hour}", ephemeral=True)

    bot.tree.add_command(daily)
    return bot


@pytest.fixture
async def bot(fake_discord: FakeDiscord, run_bot) -> AsyncIterator[TinyBot]:
    b = make_bot(fake_discord.guild.id)
    async with run_bot(b):
        yield b


async def eventually(predicate, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


# --------------------------------------------------------------------------------- login / cache


async def test_login_ready_and_cache(fake_discord: FakeDiscord, fake_world: World, bot: TinyBot) -> None:
    assert bot.user is not None
    assert bot.user.id == fake_discord.bot_user.id
    guild = bot.get_guild(fake_world.guild.id)
    assert guild is not None
    assert guild.default_role.id == guild.id
    assert {c.name for c in guild.text_channels} == {"general", "news", "staff", "readonly"}
    assert guild.me is not None
    assert [r.name for r in guild.me.roles if not r.is_default()] == ["fakebot"]
    general = guild.get_channel(fake_world.general.id)
    assert isinstance(general, discord.TextChannel)
    assert general.permissions_for(guild.me).send_messages
    staff = guild.get_channel(fake_world.staff.id)
    assert isinstance(staff, discord.TextChannel)
    assert not staff.permissions_for(guild.me).view_channel
    assert fake_discord.identify_count == 1
    assert fake_discord.heartbeat_count >= 1
    paths = [c.path for c in fake_discord.calls]
    assert paths[:2] == ["/users/@me", "/oauth2/applications/@me"]


async def test_bad_token_is_login_failure(fake_discord: FakeDiscord, run_bot) -> None:
    with pytest.raises(discord.LoginFailure):
        async with run_bot(make_bot(fake_discord.guild.id), token="wrong-token"):
            pass
    assert fake_discord.calls[-1].status == 401


async def test_fatal_close_code_stops_the_bot(fake_discord: FakeDiscord, run_bot) -> None:
    b = make_bot(fake_discord.guild.id)

    async def run_until_closed() -> None:
        async with run_bot(b):
            await fake_discord.close_socket(4004)
            await eventually(b.is_closed)

    with pytest.raises(discord.ConnectionClosed) as info:
        await run_until_closed()
    assert info.value.code == 4004


# --------------------------------------------------------------------------------- commands


async def test_command_sync_is_stored_and_fetchable(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    guild_cmds = {c["name"]: c for c in fake_discord.synced_commands(fake_discord.guild)}
    assert {"hello", "fruit", "daily", "config"} <= set(guild_cmds)
    assert [c["name"] for c in fake_discord.synced_commands()] == ["ping"]
    assert guild_cmds["config"]["default_member_permissions"] == str(int(Perm.MANAGE_GUILD))
    fetched = await bot.tree.fetch_commands(guild=discord.Object(fake_discord.guild.id))
    assert {c.name: c.id for c in fetched}["hello"] == int(guild_cmds["hello"]["id"])


async def test_command_limits_rejected_on_sync(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    too_many = [{"name": f"c{i}", "description": "x", "type": 1} for i in range(101)]
    bad = [
        {
            "name": "Bad Name",
            "description": "",
            "type": 1,
            "options": [{"name": "o", "description": "d" * 101, "type": 3}],
        }
    ]
    for body in (too_many, bad):
        with pytest.raises(discord.HTTPException) as info:
            await bot.http.bulk_upsert_global_commands(bot.application_id, body)
        assert info.value.status == 400
        assert info.value.code == 50035
    kinds = [v.kind for v in fake_discord.take_violations()]
    assert kinds == ["command_schema", "command_schema"]
    assert [c["name"] for c in fake_discord.synced_commands()] == ["ping"]


async def test_slash_with_embed_and_global_command(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    result = await fake_discord.slash("hello", {"name": "Ani"})
    assert result.response_type == 4
    assert not result.ephemeral
    assert result.embeds[0]["title"] == "Hello"
    assert "Hi Ani" in result.text
    assert result.embeds[0]["fields"] == [{"name": "Guild", "value": "Fakecord Test", "inline": True}]
    assert result.elapsed is not None
    assert result.elapsed < 1.0
    assert result.message is not None
    assert result.message.channel_id == fake_world.general.id
    ping = await fake_discord.slash("ping")
    assert ping.content == "pong"
    assert "guild_id" not in ping.payload["data"]


async def test_ephemeral_flag(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("secret")
    assert result.ephemeral
    assert result.content == "only you can see this"
    assert fake_discord.messages_in(fake_discord.channel("general")) == []


async def test_subcommand_types_and_default_permissions(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    result = await fake_discord.slash("daily subscribe", {"channel": fake_world.news, "hour": 7})
    assert result.content == "subscribed news at 7"
    sent = result.payload["data"]["options"]
    assert sent[0]["type"] == 1
    assert {o["name"]: o["type"] for o in sent[0]["options"]} == {"channel": 7, "hour": 4}
    with pytest.raises(ValueError, match="max_value"):
        await fake_discord.slash("daily subscribe", {"channel": fake_world.news, "hour": 24})
    with pytest.raises(CommandNotAvailable):
        await fake_discord.slash("config", user=fake_world.alice)
    ok = await fake_discord.slash("config", user=fake_world.mod)
    assert ok.content == "config ok"


async def test_autocomplete_choices_and_typing(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    choices = await fake_discord.autocomplete("fruit", {"name": "ap"}, "name")
    assert [c["value"] for c in choices] == ["apple", "apricot"]
    choices = await fake_discord.autocomplete("fruit", {"name": "calif"}, "name")
    assert choices == [{"name": "california plum", "value": "california plum"}]
    result = await fake_discord.slash("fruit", {"name": "california plum", "count": 2})
    assert result.content == "2 x california plum"
    assert {o["name"]: o["type"] for o in result.payload["data"]["options"]} == {"name": 3, "count": 4}


async def test_too_many_autocomplete_choices_is_a_violation(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    choices = await fake_discord.autocomplete("many", {"q": "it"}, "q")
    assert choices == []
    interaction = fake_discord.interactions[-1]
    assert interaction.callback_status == 400
    assert interaction.rejected_choices is not None
    assert len(interaction.rejected_choices) == 30
    assert interaction.failed
    violations = fake_discord.take_violations()
    assert [v.kind for v in violations] == ["limit"]
    assert "data.choices: Must be 25 or fewer in length." in violations[0].detail


async def test_embed_over_limits_is_rejected(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("bigembed")
    assert result.content == "Sorry, that answer was too long."
    assert result.ephemeral
    details = [v.detail for v in fake_discord.take_violations("limit")]
    assert len(details) == 1
    assert "data.embeds.0.title" in details[0]
    assert "data.embeds.0.description" in details[0]
    rejected = fake_discord.calls_to("POST", "/interactions/*/*/callback")[0]
    assert rejected.status == 400
    assert rejected.response["code"] == 50035


async def test_deferred_then_edit_original_and_followup(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("report")
    assert result.response_type == 5
    assert result.message is not None
    msg = await result.wait_for_edit()
    assert msg.content == "report ready"
    assert not msg.loading
    followups = await result.wait_for_followups(1)
    assert followups[0].content == "details"
    assert followups[0].ephemeral
    assert [m.content for m in result.messages] == ["report ready", "details"]


async def test_button_click_routed_by_message_id(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    result = await fake_discord.slash("counter", user=fake_world.alice)
    assert result.message is not None
    assert result.message.custom_ids() == ["counter:inc", "counter:colour"]
    click = await fake_discord.click(result, "counter:inc", user=fake_world.alice)
    assert click.response_type == 7
    assert click.message is result.message
    assert result.message.content == "count=1"
    click = await fake_discord.click(result.message, label="+1", user=fake_world.alice)
    assert result.message.content == "count=2"
    picked = await fake_discord.click(result, "counter:colour", values=["blue"], user=fake_world.alice)
    assert picked.response_type == 7
    assert result.message.content == "colour=blue"
    with pytest.raises(ValueError, match="not an option"):
        await fake_discord.click(result, "counter:colour", values=["green"], user=fake_world.alice)


async def test_click_by_another_user(fake_discord: FakeDiscord, fake_world: World, bot: TinyBot) -> None:
    result = await fake_discord.slash("counter", user=fake_world.alice)
    other = await fake_discord.click(result, "counter:inc", user=fake_world.bob)
    assert other.response_type == 4
    assert other.ephemeral
    assert other.content == "These buttons are not yours."
    assert result.message is not None
    assert result.message.content == "count=0"


async def test_modal_submit(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("feedback")
    assert result.response_type == 9
    assert result.modal is not None
    assert result.modal["title"] == "Feedback"
    submitted = await fake_discord.submit_modal(result, {"fb:text": "great bot"})
    assert submitted.content == "thanks: great bot"
    assert submitted.ephemeral


async def test_attachment_option_download_and_file_reply(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("upload", attachments={"file": ("notes.txt", b"hello fake")})
    assert result.content == "notes.txt: 10 bytes"
    assert result.message is not None
    assert result.message.files == {"echo.txt": b"HELLO FAKE"}
    call = fake_discord.calls_to("POST", "/interactions/*/*/callback")[0]
    assert call.files[0][1] == "echo.txt"


async def test_double_ack_gets_40060(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    result = await fake_discord.slash("double")
    assert result.content == "first"
    await eventually(lambda: bot.double_ack is not None)
    assert bot.double_ack == (400, 40060)
    assert [v.kind for v in fake_discord.take_violations()] == ["double_ack"]


async def test_deadline_miss_is_recorded(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    fake_discord.interaction_deadline = 0.2  # Discord's 3 s, shortened: the bot answers only after it
    result = await fake_discord.slash("sleepy")
    assert result.timed_out
    assert not result.acknowledged
    bot.answer_late.set()
    await eventually(lambda: bot.late_error is not None, timeout=2.0)
    assert bot.late_error == (404, 10062)
    assert [v.kind for v in fake_discord.take_violations()] == ["unanswered", "late_callback"]


# --------------------------------------------------------------------------------- channel messages


async def test_content_over_2000_is_rejected(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert (info.value.status, info.value.code) == (400, 50035)
    assert "In content: Must be 2000 or fewer in length." in info.value.text
    assert [v.kind for v in fake_discord.take_violations()] == ["limit"]
    assert fake_discord.messages_in(fake_world.general) == []
    await channel.send("x" * 2000)
    assert len(fake_discord.messages_in(fake_world.general)) == 1


async def test_429_then_success_makes_one_message(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    fake_discord.fail_next("POST", "/channels/*/messages", 429, retry_after=0.2)
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("daily post")
    calls = fake_discord.calls_to("POST", f"/channels/{fake_world.general.id}/messages")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].json["nonce"] == calls[1].json["nonce"]
    stored = fake_discord.messages_in(fake_world.general)
    assert [m.id for m in stored] == [sent.id]


async def test_500_after_processing_then_retry_is_deduplicated(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    fake_discord.fail_next("POST", "/channels/*/messages", 500, processed=True)
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("daily post")
    calls = fake_discord.calls_to("POST", "/channels/*/messages")
    assert [c.status for c in calls] == [500, 200]
    assert [m.id for m in fake_discord.messages_in(fake_world.general)] == [sent.id]


async def test_503_is_not_retried(fake_discord: FakeDiscord, fake_world: World, bot: TinyBot) -> None:
    fake_discord.fail_next("POST", "/channels/*/messages", 503)
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("hello")
    assert len(fake_discord.calls_to("POST", "/channels/*/messages")) == 1
    assert fake_discord.messages_in(fake_world.general) == []


async def test_channel_bucket_headers_are_honoured(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    fake_discord.channel_rate_limit = (3, 0.4)
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(4):
        await channel.send(f"post {i}")
    assert loop.time() - start >= 0.3  # discord.py waited for the bucket to reset
    assert fake_discord.route_429_count == 0
    assert len(fake_discord.messages_in(fake_world.general)) == 4


async def test_nonce_dedupe_on_raw_requests(fake_discord: FakeDiscord, fake_world: World) -> None:
    url = f"{fake_discord.api_base}/channels/{fake_world.general.id}/messages"
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    body = {"content": "once", "nonce": "12345", "enforce_nonce": True}
    async with aiohttp.ClientSession() as session:
        ids = []
        for _ in range(2):
            async with session.post(url, json=body, headers=headers) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"] == "application/json"
                ids.append((await resp.json())["id"])
        async with session.post(url, json={**body, "enforce_nonce": False}, headers=headers) as resp:
            ids.append((await resp.json())["id"])
        async with session.get(f"{fake_discord.api_base}/nope", headers=headers) as resp:
            assert resp.status == 404
    assert ids[0] == ids[1] != ids[2]
    assert len(fake_discord.messages_in(fake_world.general)) == 2
    assert [v.kind for v in fake_discord.take_violations()] == ["unknown_route"]


async def test_permissions_and_deleted_channel(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    staff = bot.get_channel(fake_world.staff.id)
    readonly = bot.get_channel(fake_world.readonly.id)
    assert isinstance(staff, discord.TextChannel)
    assert isinstance(readonly, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as info:
        await staff.send("hi")
    assert info.value.code == 50001
    with pytest.raises(discord.Forbidden) as info:
        await readonly.send("hi")
    assert info.value.code == 50013
    # Live overwrite change: news loses EMBED_LINKS for the bot's role; the cache follows CHANNEL_UPDATE.
    await fake_discord.set_channel_permissions(fake_world.news, fake_world.bot_role, deny=Perm.EMBED_LINKS)
    news = bot.get_channel(fake_world.news.id)
    assert isinstance(news, discord.TextChannel)
    await eventually(lambda: not news.permissions_for(news.guild.me).embed_links)
    await news.send("plain text is fine")
    with pytest.raises(discord.Forbidden):
        await news.send(embed=discord.Embed(description="no embeds here"))
    general_id = fake_world.general.id
    await fake_discord.delete_channel(fake_world.general)
    await eventually(lambda: bot.get_channel(general_id) is None)
    with pytest.raises(discord.NotFound) as nf:
        await bot.http.send_message(general_id, params=discord.http.handle_message_parameters(content="x"))
    assert nf.value.code == 10003


async def test_mentions_are_recorded(fake_discord: FakeDiscord, fake_world: World, bot: TinyBot) -> None:
    channel = bot.get_channel(fake_world.general.id)
    assert isinstance(channel, discord.TextChannel)
    loud = await channel.send("@everyone look")
    quiet = await channel.send("@everyone look", allowed_mentions=discord.AllowedMentions.none())
    user_only = await channel.send(
        f"hi {fake_world.alice.mention} and {fake_world.member_role.mention}",
        allowed_mentions=discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(fake_world.alice.id)]
        ),
    )
    assert fake_discord.message(loud.id).would_ping_everyone
    assert not fake_discord.message(quiet.id).pings_anyone
    assert fake_discord.message(user_only.id).pinged_users == {fake_world.alice.id}
    assert fake_discord.message(user_only.id).pinged_roles == set()
    assert {m.id for m in fake_discord.pinging_messages()} == {loud.id, user_only.id}
    with pytest.raises(AssertionError, match="would ping"):
        fake_discord.assert_no_pings()


# --------------------------------------------------------------------------------- gateway


async def test_member_chunking_and_user_messages(
    fake_discord: FakeDiscord, fake_world: World, run_bot
) -> None:
    intents = discord.Intents.default()
    intents.members = True
    chunky = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)
    async with run_bot(chunky):
        guild = chunky.get_guild(fake_world.guild.id)
        assert guild is not None
        assert guild.chunked
        member = guild.get_member(fake_world.mod.id)
        assert member is not None
        assert member.guild_permissions.manage_guild
        assert not guild.get_member(fake_world.alice.id).guild_permissions.manage_guild  # type: ignore[union-attr]
        requests = [f for f in fake_discord.gateway_log if f.direction == "recv" and f.op == 8]
        chunks = [f for f in fake_discord.gateway_log if f.t == "GUILD_MEMBERS_CHUNK"]
        assert chunks[0].d["nonce"] == requests[0].d["nonce"]
        waiter = asyncio.ensure_future(chunky.wait_for("message", timeout=3))
        await asyncio.sleep(0)
        await fake_discord.user_says(fake_world.general, fake_world.bob, "hello bot")
        message = await waiter
        assert message.author.id == fake_world.bob.id
        assert message.content == "hello bot"
        assert message.channel.id == fake_world.general.id


async def test_reconnect_resume_and_replay(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    assert (await fake_discord.slash("ping")).content == "pong"
    await fake_discord.reconnect()
    await eventually(lambda: bot.resumed == 1)
    assert (await fake_discord.slash("ping")).content == "pong"
    assert fake_discord.identify_count == 1
    # An event stored while the connection drops is replayed after RESUME.
    fake_discord.hold_dispatches = True
    await fake_discord.update_role(fake_world.member_role, name="members")
    await fake_discord.close_socket(4000)
    fake_discord.hold_dispatches = False
    guild = bot.get_guild(fake_world.guild.id)
    assert guild is not None
    await eventually(lambda: guild.get_role(fake_world.member_role.id).name == "members")  # type: ignore[union-attr]
    assert fake_discord.resume_count == 2
    replayed = [f for f in fake_discord.gateway_log if f.direction == "send" and f.t == "GUILD_ROLE_UPDATE"]
    assert len(replayed) == 1
    assert (await fake_discord.slash("hello")).response_type == 4


async def test_heartbeats_drop_what_they_acknowledge_and_resume_still_works(
    fake_discord: FakeDiscord, fake_world: World, run_bot
) -> None:
    fake_discord.heartbeat_interval_ms = 50  # read at HELLO: this bot heartbeats every 50 ms
    bot = make_bot(fake_discord.guild.id)
    async with run_bot(bot):
        for i in range(20):
            await fake_discord.update_role(fake_world.member_role, name=f"members-{i}")
        log = fake_discord.gateway_log
        last = max(f.s for f in log if f.direction == "send" and f.op == 0)

        def acked() -> bool:
            return any(f.direction == "recv" and f.op == 1 and (f.d or 0) >= last for f in log)

        await fake_discord.wait_for(acked, timeout=3, what="a heartbeat acknowledging the last dispatch")
        assert fake_discord.stored_dispatches() == []
        await fake_discord.close_socket(4000)
        await eventually(lambda: bot.resumed == 1)
        assert fake_discord.resume_count == 1
        sent = [f.t for f in fake_discord.gateway_log if f.direction == "send"]
        assert sent.count("GUILD_ROLE_UPDATE") == 20  # nothing sent twice
        guild = bot.get_guild(fake_world.guild.id)
        assert guild is not None
        assert guild.get_role(fake_world.member_role.id).name == "members-19"  # type: ignore[union-attr]
        assert (await fake_discord.slash("ping")).content == "pong"


async def test_the_replay_limit_bounds_the_buffer_and_a_resume_past_it_identifies_anew(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    fake_discord.replay_limit = 2
    for i in range(10):
        await fake_discord.update_role(fake_world.member_role, name=f"sent-{i}")
    assert len(fake_discord.stored_dispatches()) <= 2
    # Dispatches the bot never got are kept whatever the limit while it is connected…
    fake_discord.hold_dispatches = True
    for i in range(5):
        await fake_discord.update_role(fake_world.member_role, name=f"held-{i}")
    assert len(fake_discord.stored_dispatches()) >= 5
    # …but a RESUME finds them over the limit: Discord cannot replay them, so the bot starts afresh.
    await fake_discord.close_socket(4000)
    fake_discord.hold_dispatches = False
    assert fake_discord.resume_count == 0
    assert fake_discord.ready_count == 2
    refused = [f.d for f in fake_discord.gateway_log if f.direction == "send" and f.op == 9]
    assert refused == [False]

    def role_name() -> str | None:
        guild = bot.get_guild(fake_world.guild.id)
        role = guild.get_role(fake_world.member_role.id) if guild is not None else None
        return role.name if role is not None else None

    await eventually(lambda: role_name() == "held-4")  # from the new session's GUILD_CREATE
    assert (await fake_discord.slash("ping")).content == "pong"


async def test_forget_drops_finished_records_and_the_fake_keeps_working(
    fake_discord: FakeDiscord, bot: TinyBot
) -> None:
    assert (await fake_discord.slash("ping")).content == "pong"
    assert len(fake_discord.interactions) == 1
    assert fake_discord.calls
    assert fake_discord.message_log
    fake_discord.forget()
    assert fake_discord.interactions == []
    assert fake_discord.calls == []
    assert fake_discord.message_log == []
    assert fake_discord.gateway_log == []
    result = await fake_discord.slash("hello", {"name": "Ani"})
    assert result.embeds[0]["description"] == "Hi Ani"
    assert fake_discord.interactions == [result]


async def test_invalid_session_reidentifies(fake_discord: FakeDiscord, bot: TinyBot) -> None:
    await fake_discord.invalid_session(resumable=False)
    assert fake_discord.identify_count == 2
    assert fake_discord.ready_count == 2
    assert (await fake_discord.slash("ping")).content == "pong"


# --------------------------------------------------------------------------------- global rate limit


async def test_global_rate_limit_is_honoured(
    fake_discord: FakeDiscord, fake_world: World, bot: TinyBot
) -> None:
    fake_discord.global_rate_limit = 50
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(60):
        channel = await bot.fetch_channel(fake_world.general.id)
        assert channel.id == fake_world.general.id
    elapsed = loop.time() - start
    assert fake_discord.global_429_count >= 1
    gets = fake_discord.calls_to("GET", f"/channels/{fake_world.general.id}")
    assert sum(1 for c in gets if c.status == 200) == 60
    assert all(c.response["global"] for c in gets if c.status == 429)
    assert elapsed >= 0.5


# ------------------------------------------------------------------------- limits and permissions (pure)


def _errors_of(check) -> list[str]:
    errors = limits.Errors()
    check(errors)
    return [str(e) for e in errors]


def _button(custom_id: str, label: str = "b") -> dict:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"content": "x" * 2000}, []),
        ({"content": "x" * 2001}, ["content: Must be 2000 or fewer in length."]),
        ({"embeds": [{"description": "x"}] * 11}, ["embeds: Must be 10 or fewer in length."]),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds.0.title: Must be 256 or fewer in length."]),
        (
            {"embeds": [{"description": "d" * 4097}]},
            ["embeds.0.description: Must be 4096 or fewer in length."],
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
            ["embeds.0.fields: Must be 25 or fewer"],
        ),
        (
            {"embeds": [{"fields": [{"name": "", "value": "v"}]}]},
            ["embeds.0.fields.0.name: This field is required"],
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
            ["embeds.0.fields.0.value: Must be 1024"],
        ),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ["embeds.0.footer.text: Must be 2048"]),
        ({"embeds": [{"author": {"name": "a" * 257}}]}, ["embeds.0.author.name: Must be 256"]),
        (
            {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
            ["embeds: Embed size exceeds"],
        ),
        (
            {"components": [{"type": 1, "components": [_button(f"r{i}")]} for i in range(6)]},
            ["components: Must be 5 or fewer"],
        ),
        (
            {"components": [{"type": 1, "components": [_button(f"b{i}") for i in range(6)]}]},
            ["components.0.components: Must be 5 or fewer"],
        ),
        (
            {"components": [{"type": 1, "components": [_button("x" * 101)]}]},
            ["custom_id: Must be 100 or fewer"],
        ),
        (
            {"components": [{"type": 1, "components": [_button("a", "l" * 81)]}]},
            ["label: Must be 80 or fewer"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            _button("a"),
                            {"type": 3, "custom_id": "s", "options": [{"label": "o", "value": "o"}]},
                        ],
                    }
                ]
            },
            ["exceeds the maximum width"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": 3,
                                "custom_id": "s",
                                "placeholder": "p" * 151,
                                "options": [{"label": f"o{i}", "value": f"v{i}"} for i in range(26)],
                            }
                        ],
                    }
                ]
            },
            ["placeholder: Must be 150 or fewer", "options: Must be between 1 and 25"],
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [_button("dup")]},
                    {"type": 1, "components": [_button("dup")]},
                ]
            },
            ["cannot be duplicated"],
        ),
        ({"allowed_mentions": {"parse": ["users"], "users": ["1"]}}, ["mutually exclusive"]),
        ({"allowed_mentions": {"parse": ["channels"]}}, ["allowed_mentions.parse.0: Value must be one of"]),
    ],
)
def test_message_limits(payload: dict, expected: list[str]) -> None:
    found = _errors_of(lambda errors: limits.validate_message(payload, errors))
    assert len(found) == len(expected), found
    for want in expected:
        assert any(want in f for f in found), (want, found)


def test_autocomplete_and_command_limits() -> None:
    ok = [{"name": "n", "value": "v"}] * 25
    assert _errors_of(lambda e: limits.validate_choices(ok, 3, e, prefix=("choices",))) == []
    bad = [{"name": "n" * 101, "value": "v" * 101}, {"name": "", "value": "x"}]
    found = _errors_of(lambda e: limits.validate_choices(bad, 3, e, prefix=("choices",)))
    assert len(found) == 3
    assert (
        _errors_of(lambda e: limits.validate_choices([{"name": "one", "value": "1"}], 4, e, prefix=())) != []
    )

    def command(**over: object) -> dict:
        return {"name": "cmd", "description": "d", "type": 1, "options": [], **over}

    assert limits.valid_command_name("ճանաչում") is None  # Armenian lower-case letters are allowed
    assert limits.valid_command_name("Hello") is not None
    assert limits.valid_command_name("has space") is not None
    assert limits.valid_command_name("x" * 33) is not None
    opt = {"type": 3, "name": "o", "description": "d"}
    cases = [
        command(description=""),
        command(description="d" * 101),
        command(options=[{**opt, "name": f"o{i}"} for i in range(26)]),
        command(options=[opt, {**opt, "name": "p", "required": True}]),
        command(options=[{**opt, "choices": [{"name": "c", "value": "c"}] * 26}]),
        command(options=[{**opt, "autocomplete": True, "choices": [{"name": "c", "value": "c"}]}]),
    ]
    for case in cases:
        assert _errors_of(lambda e, case=case: limits.validate_commands([case], e)), case
    assert _errors_of(lambda e: limits.validate_commands([command()], e)) == []


def test_permission_computation(fake_discord: FakeDiscord, fake_world: World) -> None:
    guild = fake_world.guild
    assert fake_world.general.permissions_for(fake_world.alice) & Perm.SEND_MESSAGES
    assert not fake_world.staff.permissions_for(fake_world.alice)
    assert fake_world.staff.permissions_for(fake_world.mod) & Perm.VIEW_CHANNEL
    assert not fake_world.readonly.permissions_for(fake_world.alice) & (Perm.SEND_MESSAGES | Perm.EMBED_LINKS)
    assert guild.base_permissions(fake_world.mod) & Perm.MANAGE_GUILD
    assert guild.base_permissions(fake_world.owner) == ALL_PERMISSIONS
    admin_role = guild.add_role("admin", Perm.ADMINISTRATOR)
    carol = fake_discord.create_member("carol", [admin_role])
    assert fake_world.staff.permissions_for(carol) == ALL_PERMISSIONS
    fake_world.general.overwrites.append(overwrite(fake_world.bob, deny=Perm.SEND_MESSAGES))
    assert not fake_world.general.permissions_for(fake_world.bob) & Perm.SEND_MESSAGES
    assert fake_world.general.permissions_for(fake_world.alice) & Perm.SEND_MESSAGES
