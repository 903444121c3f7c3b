using Shaping.Core.Capacity;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// Replays ledger calls answered <see cref="ReservationStatus.Unavailable"/>. That answer means the outcome is
/// unknown (the call may have taken effect before the connection was lost), and every ledger operation is
/// idempotent by <see cref="ReservationId"/>, so replaying the same call is how a caller learns what happened.
/// </summary>
/// <remarks>
/// The first call is made at once; each replay waits <c>delay</c> first. A result still
/// <see cref="ReservationStatus.Unavailable"/> after <c>replays</c> replays is returned as it is: the caller decides
/// what an unknown outcome means at its step.
/// </remarks>
internal static class LedgerReplay
{
    /// <summary>Reserves, replaying the same request while the ledger answers Unavailable.</summary>
    public static async ValueTask<LedgerResult> ReserveAsync(
        ICapacityLedger ledger, ReservationRequest request, int replays, TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await ledger.TryReserveAsync(request, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < replays && result.Status == ReservationStatus.Unavailable; i++)
        {
            await DelayAsync(delay, time, cancellationToken).ConfigureAwait(false);
            result = await ledger.TryReserveAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Commits, replaying while the ledger answers Unavailable; not cancellable (replicas exist by then).</summary>
    public static async ValueTask<LedgerResult> CommitAsync(ICapacityLedger ledger, ReservationId id, int replays, TimeSpan delay, TimeProvider time)
    {
        var result = await ledger.CommitAsync(id, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < replays && result.Status == ReservationStatus.Unavailable; i++)
        {
            await DelayAsync(delay, time, CancellationToken.None).ConfigureAwait(false);
            result = await ledger.CommitAsync(id, CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Releases, replaying while the ledger answers Unavailable; not cancellable (it undoes work). A release whose
    /// fate is never learned leaves a held reservation to expire, or a committed one counted (over-reserved).
    /// </summary>
    public static async ValueTask<LedgerResult> ReleaseAsync(ICapacityLedger ledger, ReservationId id, int replays, TimeSpan delay, TimeProvider time)
    {
        var result = await ledger.ReleaseAsync(id, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < replays && result.Status == ReservationStatus.Unavailable; i++)
        {
            await DelayAsync(delay, time, CancellationToken.None).ConfigureAwait(false);
            result = await ledger.ReleaseAsync(id, CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    private static Task DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellationToken) : Task.CompletedTask;
}
