from assetport.runtime.sequencer import Sequencer


def test_seqs_continue_and_time_never_goes_back_when_the_clock_does() -> None:
    readings = iter([1_000, 2_000, 1_500, 2_500])
    sequencer = Sequencer(last_seq=41, last_time=900, clock=lambda: next(readings))
    assert sequencer.stamp(3) == (42, 1_000)
    assert sequencer.stamp(1) == (45, 2_000)
    assert sequencer.stamp(2) == (46, 2_000)  # the clock stepped back: keep the last time
    assert sequencer.stamp(1) == (48, 2_500)


def test_a_restart_never_stamps_before_the_last_journaled_time() -> None:
    sequencer = Sequencer(last_seq=10, last_time=5_000, clock=lambda: 4_000)
    assert sequencer.stamp(1) == (11, 5_000)
