using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

// Seeks backward: a new pass, and a fetch of what playback will go through again.
public sealed partial class PlaybackAligner
{
    // Which fetch is current: each seek backward bumps it, and the results of an older fetch are dropped (the newer
    // fetch's window reaches as far, see SeekBackward).
    private long _replayGeneration;

    // A seek forward passed some of the window while it was being fetched: what the fetch brings back behind
    // playback is released as skipped rather than due.
    private bool _skippedDuringReplay;
    private CancellationTokenSource? _replayCancel;
    private Task _pendingReplay = Task.CompletedTask;

    /// <summary>
    /// Raised when the replay source fails (on the thread that saw the failure: the seeking call's, or the fetch's
    /// continuation); the aligner carries on without the replayed events.
    /// </summary>
    public event Action<ReplayFailure>? ReplayFailed;

    /// <summary>
    /// The last replay fetch started by a seek backward: completes when its events have been merged, or it failed or
    /// was abandoned. Never faults because of the replay source.
    /// </summary>
    public Task PendingReplay
    {
        get
        {
            lock (_gate)
            {
                return _pendingReplay;
            }
        }
    }

    // Under the lock.
    private ReplayRequest? SeekBackward(PlaybackPosition position)
    {
        _position = position;
        return RequestReplay(position);
    }

    // Under the lock: playback moves into a later epoch. If it had been there before (then sought back into an older
    // one), what it saw there was released in an earlier pass and the replay of the older epoch did not cover it:
    // replay it as after a seek backward.
    private ReplayRequest? EnterLaterEpoch(PlaybackPosition position, ReleaseKind kind)
    {
        var revisit = _furthest is { } furthest && furthest > position;
        MoveTo(position, kind);
        return revisit ? RequestReplay(position) : null;
    }

    // Under the lock: a new pass from `from`.
    private ReplayRequest? RequestReplay(PlaybackPosition from)
    {
        CancelReplay();

        // The window playback will go through again: up to the furthest it had been (not just the previous position:
        // after two seeks back in a row, or a seek back then forward then back, everything up to there was released in
        // an earlier pass), or, if that was in a later epoch, to the end of this one (the aligner does not know where
        // that epoch ended).
        var furthest = _furthest ?? from;
        var toMs = furthest.Epoch == from.Epoch ? furthest.StreamMs : long.MaxValue;

        // A new pass: what was released in the window may be released once more, when playback reaches it again.
        _released.Forget(from.Epoch, from.StreamMs, toMs);
        if (_options.Replay is null)
        {
            return null;
        }

        _replayRequests++;
        _skippedDuringReplay = false;
        _replayCancel = new CancellationTokenSource();
        return new ReplayRequest(_replayGeneration, from.Epoch, from.StreamMs, toMs, _replayCancel.Token);
    }

    // Under the lock. The source is not disposed: a CancellationTokenSource without a timer holds nothing but memory,
    // and disposing it here could race with the fetch registering on its token.
    private void CancelReplay()
    {
        _replayGeneration++;
        var cancel = _replayCancel;
        _replayCancel = null;
        cancel?.Cancel();
    }

    // Outside the lock (the source's synchronous part, and a synchronous merge, may take a while).
    private Task StartReplay(ReplayRequest? request)
    {
        if (request is null)
        {
            return Task.CompletedTask;
        }

        var task = RunReplayAsync(request);
        lock (_gate)
        {
            if (_replayGeneration == request.Generation)
            {
                _pendingReplay = task;
            }
        }

        return task;
    }

    private async Task RunReplayAsync(ReplayRequest request)
    {
        IReadOnlyList<RoomEvent>? events;
        try
        {
            events = await _options.Replay!(request.Epoch, request.FromMs, request.ToMs, request.Cancel).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The replay source returned null instead of a list of events.");
        }
        catch (OperationCanceledException) when (request.Cancel.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // The replay source is the caller's code: whatever it throws is reported, never fatal.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var failure = new ReplayFailure(request.Epoch, request.FromMs, request.ToMs, ex);
            lock (_gate)
            {
                _replayFailures++;
                if (_replayGeneration == request.Generation)
                {
                    _replayCancel = null;
                }
            }

            ReplayFailed?.Invoke(failure);
            return;
        }

        lock (_gate)
        {
            if (_replayGeneration != request.Generation)
            {
                return;
            }

            _replayCancel = null;

            // Playback moved on during the fetch: what it passed is released at once (as skipped if a seek forward
            // passed it), the rest is held.
            Take(events, replayed: true, _skippedDuringReplay ? ReleaseKind.Skipped : ReleaseKind.Due);
        }

        Deliver();
    }

    private sealed record ReplayRequest(long Generation, long Epoch, long FromMs, long ToMs, CancellationToken Cancel);
}
