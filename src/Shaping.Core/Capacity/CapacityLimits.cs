using System.Globalization;
using System.Runtime.CompilerServices;
using Shaping.Core.Resources;

namespace Shaping.Core.Capacity;

/// <summary>
/// The limits every <see cref="ICapacityLedger"/> accepts: the largest amount of a dimension and the longest time to
/// live of a reservation, with the checks that enforce them.
/// </summary>
/// <remarks>
/// <para>
/// The limits are part of the port's contract, not of one ledger: <see cref="InMemoryCapacityLedger"/> and the
/// PostgreSQL ledger (Shaping.Capacity.PostgreSql) both check their arguments with
/// <see cref="ThrowIfAmountOutOfRange(ResourceVector, string?)"/> and
/// <see cref="ThrowIfRequestInvalid(ReservationRequest, string?)"/>, so a host that develops against one and deploys on the
/// other meets the same validation, with the same exception and message. An adapter of another store should call them
/// too.
/// </para>
/// <para>
/// Each limit is the strictest that one of the ledgers' representations needs, so that every ledger can honour it.
/// <see cref="MaxAmount"/> (9 × 10⁹ units) comes from the in-memory ledger, which accounts in billionths of a unit in
/// 64-bit integers: 9 × 10⁹ units are 9 × 10¹⁸ nano-units, just inside <see cref="long.MaxValue"/> (≈ 9.22 × 10¹⁸).
/// The PostgreSQL ledger accounts in thousandths of a unit in <c>bigint</c> columns, where the same amount is
/// 9 × 10¹² milli-units, far inside. Nine billion cores, GiB or Gbps is far beyond any real region, so the bound only
/// refuses amounts that are mistakes. <see cref="MaxTimeToLive"/> (365 days) bounds a hold that is meant to bridge
/// one provisioning call; it also keeps every expiry (now + time to live) a representable time in every store.
/// </para>
/// </remarks>
public static class CapacityLimits
{
    /// <summary>
    /// The largest amount accepted in any dimension of a region's capacity, of a reservation's per-replica amount and of
    /// its total: 9 × 10⁹ of that dimension's unit (cores, GiB, GiB of storage, Gbps).
    /// </summary>
    public const double MaxAmount = 9e9;

    /// <summary>The longest time to live accepted for a reservation: 365 days.</summary>
    public static TimeSpan MaxTimeToLive { get; } = TimeSpan.FromDays(365);

    /// <summary>Gets whether every dimension of an amount is at most <see cref="MaxAmount"/> (NaN is not).</summary>
    /// <param name="amount">The amount, in each dimension's unit.</param>
    /// <returns>Whether one reservation, or one region, can hold it.</returns>
    public static bool IsWithinMaxAmount(ResourceVector amount) =>
        amount.CpuCores <= MaxAmount && amount.MemoryGiB <= MaxAmount && amount.StorageGiB <= MaxAmount && amount.NetworkGbps <= MaxAmount;

    /// <summary>
    /// Throws unless every dimension of an amount (a region's capacity) is finite, non-negative and at most
    /// <see cref="MaxAmount"/>.
    /// </summary>
    /// <param name="amount">The amount to check, in each dimension's unit.</param>
    /// <param name="paramName">The name of the argument being checked, for the exception and its message.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A dimension of <paramref name="amount"/> is NaN, infinite, negative or above <see cref="MaxAmount"/>.
    /// </exception>
    public static void ThrowIfAmountOutOfRange(ResourceVector amount, [CallerArgumentExpression(nameof(amount))] string? paramName = null) =>
        CheckAmount(amount, paramName, paramName);

    /// <summary>
    /// Throws unless a reservation request is within the limits: <see cref="ReservationRequest.Replicas"/> at least 1,
    /// every dimension of <see cref="ReservationRequest.PerReplica"/> and of <see cref="ReservationRequest.Total"/>
    /// finite, non-negative and at most <see cref="MaxAmount"/>, and <see cref="ReservationRequest.TimeToLive"/>
    /// positive and at most <see cref="MaxTimeToLive"/>.
    /// </summary>
    /// <remarks>
    /// The exception's parameter name is <paramref name="paramName"/> (the argument the caller passed); its message
    /// names the member that is out of range, the limit and the value, such as
    /// <c>ReservationRequest.TimeToLive must be positive and at most 365 days (CapacityLimits.MaxTimeToLive); got …</c>.
    /// The id, region and shape name are not checked here: what a store can keep of them is the ledger's own concern.
    /// </remarks>
    /// <param name="request">The request to check.</param>
    /// <param name="paramName">The name of the argument being checked, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">A member of <paramref name="request"/> is out of range; the message names it.</exception>
    public static void ThrowIfRequestOutOfRange(ReservationRequest request, [CallerArgumentExpression(nameof(request))] string? paramName = null)
    {
        if (request.Replicas < 1)
        {
            throw new ArgumentOutOfRangeException(
                paramName, request.Replicas, F($"ReservationRequest.Replicas must be at least 1; got {request.Replicas}."));
        }

        CheckAmount(request.PerReplica, paramName, "ReservationRequest.PerReplica");
        CheckAmount(request.Total, paramName, "ReservationRequest.Total (PerReplica × Replicas)");
        if (request.TimeToLive <= TimeSpan.Zero || request.TimeToLive > MaxTimeToLive)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                request.TimeToLive,
                F($"ReservationRequest.TimeToLive must be positive and at most {MaxTimeToLive.TotalDays:0} days (CapacityLimits.MaxTimeToLive); got {request.TimeToLive}."));
        }
    }

    /// <summary>
    /// Throws unless a reservation request is one every ledger accepts: its id, region and shape name neither null nor
    /// blank, and its amounts, replica count and time to live within the limits (<see
    /// cref="ThrowIfRequestOutOfRange"/>). Both ledgers run this first, so a request one refuses the other refuses the
    /// same way; what a store can keep of the strings beyond that (length, characters) is the ledger's own concern.
    /// </summary>
    /// <param name="request">The request to check.</param>
    /// <param name="paramName">The name of the argument being checked, for the exception.</param>
    /// <exception cref="ArgumentNullException">The id, region or shape name is null; the message names the member.</exception>
    /// <exception cref="ArgumentException">The id, region or shape name is empty or white space; the message names the member.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A member of <paramref name="request"/> is out of range; the message names it.</exception>
    public static void ThrowIfRequestInvalid(ReservationRequest request, [CallerArgumentExpression(nameof(request))] string? paramName = null)
    {
        ThrowIfBlank(request.Id.Value, "ReservationRequest.Id", paramName);
        ThrowIfBlank(request.Region, "ReservationRequest.Region", paramName);
        ThrowIfBlank(request.ShapeName, "ReservationRequest.ShapeName", paramName);
        ThrowIfRequestOutOfRange(request, paramName);
    }

    private static void ThrowIfBlank(string? value, string member, string? paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"{member} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{member} must not be empty or white space; got '{value}'.", paramName);
        }
    }

    private static void CheckAmount(ResourceVector amount, string? paramName, string? what)
    {
        if (!amount.IsValidAmount)
        {
            throw new ArgumentOutOfRangeException(
                paramName, amount, F($"{what} must be finite and non-negative in every dimension; got {amount}."));
        }

        if (IsWithinMaxAmount(amount))
        {
            return;
        }

        // The vector's text rounds to 0.001, so it would show an amount just above the limit as the limit itself: name
        // the first dimension over it with its exact value too.
        var (dimension, value) =
            amount.CpuCores > MaxAmount ? (nameof(amount.CpuCores), amount.CpuCores)
            : amount.MemoryGiB > MaxAmount ? (nameof(amount.MemoryGiB), amount.MemoryGiB)
            : amount.StorageGiB > MaxAmount ? (nameof(amount.StorageGiB), amount.StorageGiB)
            : (nameof(amount.NetworkGbps), amount.NetworkGbps);
        throw new ArgumentOutOfRangeException(
            paramName,
            amount,
            F($"{what} must be at most {MaxAmount:0.###e0} units in every dimension (CapacityLimits.MaxAmount); got {amount} ({dimension} {value:R})."));
    }

    private static string F(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
