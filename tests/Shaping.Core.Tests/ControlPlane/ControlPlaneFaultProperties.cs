using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// The request handler and the adjustment loop over one ledger, inventory and pair of regions, while every port fails
/// at random: ledger calls answer Unavailable, lose their answer, or throw before or after they act; provisioning and
/// resize calls answer TransientFailure, lose their answer, throw before or after they act, or cancel their caller; a
/// replica's release fails or throws. Requests, reconciliations, adjustment cycles, host releases and restarts (from
/// the inventory's snapshot, once the unsettled requests are reconciled) interleave. Once the ports behave again and
/// everything is reconciled and settled, the books must agree.
/// </summary>
public sealed class ControlPlaneFaultProperties
{
    /// <summary>
    /// No replica runs untracked or on another shape than the inventory says; every tracked replica's reservation is
    /// committed; no region runs more than the ledger counts (except after a documented
    /// <see cref="ShapeMoveOutcome.AppliedUncommitted"/>); nothing is held; no provisioning key acted twice; and,
    /// unless the ledger's releases failed too, no reservation stays committed that no tracked replica uses.
    /// </summary>
    // A fixed replay (odd gamma) keeps CI deterministic; drop Replay locally to explore new seeds.
    [Property(MaxTest = 300, Replay = "(20261130,97531)")]
    public Property RandomPortFaults_HandlerAndLoopTogether_LeaveTheBooksInAgreement() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed => RunAsync(seed).GetAwaiter().GetResult());

    private static async Task<bool> RunAsync(int seed)
    {
        var random = new Random(seed);
        var faults = new Faults(new Random(seed * 31 + 7)) { Ledger = random.Next(2) == 0, LedgerRelease = random.Next(3) == 0 };
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { MaxAttempts = 4, MaxProvisionRetries = random.Next(3), RankingDepth = 3, CompletedRequestMemory = random.Next(3) },
            wrap: p => new FaultyProvisioner(p, faults),
            seed: seed,
            wrapLedger: l => new FaultyLedger(l, faults));
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * (3 + random.Next(8)));
        f.Ledger.SetRegionCapacity("us", TestShapes.Medium.Capacity * (3 + random.Next(8)));
        var source = new Source(f, random);
        var policy = new ScalerPolicy(smoothingTimeConstant: TimeSpan.Zero, upStabilizationWindow: TimeSpan.FromMinutes(1), downStabilizationWindow: TimeSpan.FromMinutes(1), cooldown: TimeSpan.Zero, maxSwitchesPerPeriod: ScalerPolicy.MaxSwitchCap);
        ShapeAdjustmentLoop NewLoop() => new(
            source, f.HandlerLedger, f.Provisioner, f.Inventory, new HysteresisScaler(f.Library.Current, policy), null,
            new ShapeAdjustmentOptions(reservationTimeToLive: TimeSpan.FromMinutes(2), retryBackoff: TimeSpan.Zero, maxRetryBackoff: TimeSpan.Zero, maxResizeRetries: random.Next(3)),
            f.Time, library: f.Library);
        var loop = NewLoop();
        var keys = Enumerable.Range(0, 6).Select(i => HandlerFixture.Request($"k{i}", replicas: 1 + (i % 3), tradeoff: (i % 4) / 3.0, failover: "us")).ToArray();
        var log = new List<string>();
        var uncommitted = false;
        for (var step = 0; step < 40; step++)
        {
            var req = keys[random.Next(keys.Length)];
            var action = random.Next(12);
            using var cts = new CancellationTokenSource();
            faults.Token = cts;
            try
            {
                if (action < 4)
                {
                    var r = await f.Handler.HandleAsync(req, cts.Token);
                    log.Add($"{step} handle {req.IdempotencyKey}: {r} unknown={r.IsOutcomeUnknown} ids=[{string.Join(",", r.ReplicaIds)}]");
                }
                else if (action < 5)
                {
                    var r = await f.Handler.ReconcileAsync(req.IdempotencyKey, cts.Token);
                    log.Add($"{step} reconcile {req.IdempotencyKey}: {r?.ToString() ?? "null"}");
                }
                else if (action < 9)
                {
                    f.Time.Advance(TimeSpan.FromMinutes(random.Next(4) == 0 ? 3 : 1));
                    var result = await loop.RunOnceAsync(cts.Token);
                    foreach (var m in result.Moves)
                    {
                        uncommitted |= m.Outcome == ShapeMoveOutcome.AppliedUncommitted;
                        log.Add($"{step} move {m.ReplicaId} {m.From.Name}->{m.To.Name} {m.Outcome}");
                    }
                }
                else if (action == 9)
                {
                    faults.Enabled = false;
                    foreach (var u in f.Handler.GetUnsettledRequests())
                    {
                        await f.Handler.ReconcileAsync(u.IdempotencyKey);
                    }

                    for (var i = 0; i < 2; i++)
                    {
                        f.Time.Advance(TimeSpan.FromMinutes(1));
                        source.Calm = true;
                        foreach (var m in (await loop.RunOnceAsync()).Moves)
                        {
                            uncommitted |= m.Outcome == ShapeMoveOutcome.AppliedUncommitted;
                        }
                    }

                    source.Calm = false;
                    faults.Enabled = true;
                    uncommitted |= loop.GetRecentMoves().Any(m => m.Outcome == ShapeMoveOutcome.AppliedUncommitted);
                    loop.Dispose();
                    f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
                    loop = NewLoop();
                    log.Add($"{step} restart");
                }
                else
                {
                    if (f.Inventory.TryGetRequestReplicas(req.IdempotencyKey, out var recs))
                    {
                        foreach (var rec in recs)
                        {
                            var region = rec.Region == "eu" ? f.Eu : f.Us;
                            await region.ReleaseAsync(rec.Region, rec.ReplicaId);
                            if (f.Inventory.Remove(rec.ReplicaId) is { } vacated)
                            {
                                await f.Ledger.ReleaseAsync(vacated);
                            }
                        }

                        log.Add($"{step} host released {req.IdempotencyKey}");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                log.Add($"{step} cancelled");
            }
            catch (InvalidOperationException ex) when (ex.Message.StartsWith("chaos", StringComparison.Ordinal))
            {
                log.Add($"{step} threw {ex.Message}");
            }
        }

        faults.Enabled = false;
        source.Calm = true;
        foreach (var req in keys)
        {
            await f.Handler.ReconcileAsync(req.IdempotencyKey);
        }

        for (var i = 0; i < 4; i++)
        {
            f.Time.Advance(TimeSpan.FromMinutes(1));
            foreach (var m in (await loop.RunOnceAsync()).Moves)
            {
                uncommitted |= m.Outcome == ShapeMoveOutcome.AppliedUncommitted;
                log.Add($"settle move {m.ReplicaId} {m.From.Name}->{m.To.Name} {m.Outcome}");
            }
        }

        f.Time.Advance(TimeSpan.FromMinutes(10));
        uncommitted |= loop.GetRecentMoves().Any(m => m.Outcome == ShapeMoveOutcome.AppliedUncommitted);
        loop.Dispose();
        try
        {
            Assert.Equal(0, f.Handler.UnsettledRequestCount);
            var used = new HashSet<ReservationId>();
            foreach (var (name, region) in new[] { ("eu", f.Eu), ("us", f.Us) })
            {
                var running = region.GetReplicas();
                foreach (var (id, shape) in running)
                {
                    Assert.True(f.Inventory.TryGet(id, out var rec), $"orphan {id}");
                    Assert.True(rec.Shape.Name == shape.Name, $"{id} runs {shape.Name}, inventory says {rec.Shape.Name}");
                }

                var runningCapacity = running.Aggregate(ResourceVector.Zero, (s, r) => s + r.Value.Capacity);
                Assert.True(uncommitted || runningCapacity.CpuCores <= f.Capacity(name).Committed.CpuCores + 1e-9, $"{name} runs {runningCapacity.CpuCores}, committed {f.Capacity(name).Committed.CpuCores}");
            }

            foreach (var rec in f.Inventory.Snapshot())
            {
                Assert.True(f.Ledger.TryGetReservation(rec.Reservation, out var res), $"unknown reservation {rec.Reservation}");
                Assert.True(res.State == ReservationState.Committed, $"{rec.ReplicaId}'s reservation {rec.Reservation} is {res.State}");
                used.Add(rec.Reservation);
            }

            Assert.All(f.Eu.GetProvisionEffects().Values.Concat(f.Us.GetProvisionEffects().Values), n => Assert.Equal(1, n));
            Assert.Equal(0, f.Ledger.CountHeld());
            if (!faults.LedgerRelease)
            {
                var leaked = faults.Ids.Distinct().Where(id => f.Ledger.TryGetReservation(id, out var r) && r.State == ReservationState.Committed && !used.Contains(id)).ToList();
                Assert.True(leaked.Count == 0, $"leaked: {string.Join(", ", leaked)}");
            }
        }
        catch (Exception ex) when (ex is Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(
                $"seed {seed} (ledger faults {faults.Ledger}, release faults {faults.LedgerRelease}): {ex.Message}{Environment.NewLine}{string.Join(Environment.NewLine, log)}", ex);
        }

        return true;
    }

    private sealed class Faults(Random random)
    {
        public bool Enabled { get; set; } = true;

        public bool Ledger { get; init; }

        public bool LedgerRelease { get; init; }

        public CancellationTokenSource? Token { get; set; }

        public List<ReservationId> Ids { get; } = [];

        public int Draw(int n, bool on = true) => Enabled && on ? random.Next(n) : 99;
    }

    private sealed class Source(HandlerFixture f, Random random) : IUtilizationSource
    {
        public bool Calm { get; set; }

        public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default)
        {
            var list = new List<ReplicaUtilization>();
            foreach (var (name, region) in new[] { ("eu", f.Eu), ("us", f.Us) })
            {
                foreach (var (id, shape) in region.GetReplicas().OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    var u = Calm ? 0.6 : random.NextDouble() * 1.2;
                    list.Add(new ReplicaUtilization(name, id, shape.Name, f.Time.GetUtcNow(), shape.Capacity * u));
                }
            }

            return ValueTask.FromResult<IReadOnlyList<ReplicaUtilization>>(list);
        }
    }

    private sealed class FaultyLedger(ICapacityLedger inner, Faults faults) : ICapacityLedger
    {
        public async ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
        {
            faults.Ids.Add(request.Id);
            return await Play("reserve " + request.Id, faults.Ledger, () => inner.TryReserveAsync(request, cancellationToken));
        }

        public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default) =>
            Play("commit " + id, faults.Ledger, () => inner.CommitAsync(id, cancellationToken));

        public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default) =>
            Play("release " + id, faults.LedgerRelease, () => inner.ReleaseAsync(id, cancellationToken));

        public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => inner.ReclaimExpiredAsync(cancellationToken);

        public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default) =>
            inner.GetFreeCapacityAsync(region, cancellationToken);

        private async ValueTask<LedgerResult> Play(string what, bool on, Func<ValueTask<LedgerResult>> call)
        {
            var draw = faults.Draw(14, on);
            switch (draw)
            {
                case 0:
                    return new LedgerResult(ReservationStatus.Unavailable, null);
                case 1:
                    _ = await call();
                    return new LedgerResult(ReservationStatus.Unavailable, null);
                case 2:
                    throw new InvalidOperationException("chaos ledger throw");
                case 3:
                    _ = await call();
                    throw new InvalidOperationException("chaos ledger throw after effect");
                default:
                    return await call();
            }
        }
    }

    private sealed class FaultyProvisioner(IProvisioner inner, Faults faults) : IProvisioner
    {
        public async ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
        {
            var draw = faults.Draw(16);
            return await PlayAsync(draw, () => inner.ProvisionAsync(request, cancellationToken), cancellationToken);
        }

        public async ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default)
        {
            var draw = faults.Draw(16);
            return await PlayAsync(draw, () => inner.ResizeAsync(request, cancellationToken), cancellationToken);
        }

        public async ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default)
        {
            var draw = faults.Draw(10);
            switch (draw)
            {
                case 0:
                    return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "chaos");
                case 1:
                    throw new InvalidOperationException("chaos release throw");
                default:
                    return await inner.ReleaseAsync(region, replicaId, cancellationToken);
            }
        }

        private async ValueTask<ProvisionResult> PlayAsync(int draw, Func<ValueTask<ProvisionResult>> call, CancellationToken cancellationToken)
        {
            switch (draw)
            {
                case 0:
                    return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "chaos");
                case 1:
                    _ = await call();
                    return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "chaos lost");
                case 2:
                    throw new InvalidOperationException("chaos throw");
                case 3:
                    _ = await call();
                    throw new InvalidOperationException("chaos throw after effect");
                case 4:
                    if (faults.Token is { } t)
                    {
                        await t.CancelAsync();
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return await call();
                case 5:
                    var answer = await call();
                    if (faults.Token is { } t2)
                    {
                        await t2.CancelAsync();
                    }

                    return answer;
                default:
                    return await call();
            }
        }
    }
}
