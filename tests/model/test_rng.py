"""Named random streams: shared ones kept for the run, an agent's own handed to the agent."""

import pytest

from simulator.model.rng import Streams


def test_a_shared_stream_continues_where_the_last_caller_stopped() -> None:
    streams = Streams(7)
    first = streams.get("rails").random()
    assert streams.get("rails").random() != first
    assert Streams(7).get("rails").random() == first


def test_an_agents_stream_starts_over_each_time_it_is_taken_and_is_not_kept() -> None:
    streams = Streams(7)
    a = streams.own("behaviour:mainland_gba:17")
    draws = a.random(3).tolist()
    assert streams.own("behaviour:mainland_gba:17").random(3).tolist() == draws
    assert streams.own("behaviour:mainland_gba:18").random(3).tolist() != draws
    assert streams._streams == {}


@pytest.mark.parametrize("name", ["investor:hk_retail:0", "behaviour:mainland_gba:12", "channels:mainland_gba:3",
                                  "legal:hk_professional:9"])
def test_an_agents_stream_cannot_be_taken_as_a_shared_one(name: str) -> None:
    with pytest.raises(ValueError, match=r"Streams\.own"):
        Streams(1).get(name)


@pytest.mark.parametrize("name", ["legal:keys", "rails", "product:hk_deposit", "investor:hk_retail"])
def test_a_shared_stream_cannot_be_taken_as_an_agents(name: str) -> None:
    with pytest.raises(ValueError, match=r"Streams\.get"):
        Streams(1).own(name)
