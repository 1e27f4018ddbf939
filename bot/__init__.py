"""What every feature shares: the client and CLI, config, clock and schedule math, the values
library, the crisis check (safety/), care, texts and embeds, UI bases, errors and checks,
the send queue, observing (observe/) and the store (store/). bot/ never imports cogs/."""
