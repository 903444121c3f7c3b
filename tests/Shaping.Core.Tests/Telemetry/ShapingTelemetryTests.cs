using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Telemetry;
using Shaping.Core.Tests.ControlPlane;

namespace Shaping.Core.Tests.Telemetry;

public sealed class ShapingTelemetryTests
{
    [Fact]
    public async Task HandleAsync_WithListener_EmitsEveryInstrument()
    {
        using var factory = new TestMeterFactory();
        var telemetry = new ShapingTelemetry(factory);
        using var listener = new MeasurementRecorder(telemetry.Meter);

        var f = new HandlerFixture();
        var handler = new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory,
            new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero }, telemetry: telemetry, timeProvider: f.Time);
        f.Ledger.SetRegionCapacity("us", new Core.Resources.ResourceVector(1, 1, 1, 1));
        await handler.HandleAsync(HandlerFixture.Request("a"));
        await handler.HandleAsync(new ReplicaRequest("us", 1, TimeSpan.FromHours(1), "b") { Tradeoff = 0 });
        await handler.HandleAsync(new ReplicaRequest("ap", 1, TimeSpan.FromHours(1), "c"));
        telemetry.RecordShapeSwitch("eu", ShapingTags.Up);

        Assert.Equal(3, listener.Sum("shaping.requests"));
        Assert.Equal(1, listener.Sum("shaping.request.outcomes", ShapingTags.Outcome, "provisioned"));
        Assert.Equal(1, listener.Sum("shaping.request.outcomes", ShapingTags.Outcome, "no_capacity"));
        Assert.Equal(1, listener.Sum("shaping.request.outcomes", ShapingTags.Outcome, "no_prediction"));
        Assert.Equal(1, listener.Sum("shaping.reservations", ShapingTags.Result, "succeeded"));
        Assert.True(listener.Sum("shaping.reservations", ShapingTags.Result, "insufficient_capacity") >= 1);
        Assert.Equal(2, listener.Count("shaping.selection.duration"));
        Assert.All(listener.Values("shaping.selection.duration"), v => Assert.True(v >= 0));
        Assert.Equal(1, listener.Sum("shaping.shape.switches", ShapingTags.Direction, "up"));
    }

    [Fact]
    public void Instruments_NamesUnitsAndMeter_AsDocumented()
    {
        using var factory = new TestMeterFactory();
        var telemetry = new ShapingTelemetry(factory);
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        Assert.Equal("Shaping", telemetry.Meter.Name);
        Assert.Equal("Shaping", ShapingTelemetry.ActivitySource.Name);
        Assert.Equal("s", instruments.Single(i => i.Name == "shaping.selection.duration").Unit);
        Assert.Equal("{switch}", instruments.Single(i => i.Name == "shaping.shape.switches").Unit);
        Assert.Equal("{request}", instruments.Single(i => i.Name == "shaping.reconciliations").Unit);
        Assert.Equal(6, instruments.Count);
        Assert.Equal("Shaping", ShapingTelemetry.Shared.Meter.Name);
    }

    [Fact]
    public async Task ReconcileAsync_WithListeners_CountsEachReplayByOutcomeAndRecordsAnActivity()
    {
        using var factory = new TestMeterFactory();
        var telemetry = new ShapingTelemetry(factory);
        using var recorder = new MeasurementRecorder(telemetry.Meter);
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = ListenToShapingActivities(activities);
        using var parent = new Activity("test").Start(); // other tests run in parallel: keep to this trace
        var f = new HandlerFixture();
        var handler = new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory,
            new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero }, telemetry: telemetry, timeProvider: f.Time);
        f.Eu.LostResponseRate = 1;
        Assert.True((await handler.HandleAsync(HandlerFixture.Request("k"))).IsOutcomeUnknown);

        Assert.True((await handler.ReconcileAsync("k"))!.IsOutcomeUnknown); // answers still lost
        f.Eu.LostResponseRate = 0;
        Assert.True((await handler.ReconcileAsync("k"))!.IsProvisioned);
        Assert.Null(await handler.ReconcileAsync("k")); // settled: nothing replayed, nothing counted

        Assert.Equal(1, recorder.Sum("shaping.reconciliations", ShapingTags.Outcome, ShapingTelemetry.StillUnknownOutcome));
        Assert.Equal(1, recorder.Sum("shaping.reconciliations", ShapingTags.Outcome, "provisioned"));
        Assert.Equal(1, recorder.Sum("shaping.requests")); // a reconciliation is not a new request
        parent.Stop();
        var reconciles = activities.Where(a => a.TraceId == parent.TraceId && a.OperationName == "shaping.reconcile").ToList();
        Assert.Equal(2, reconciles.Count);
        Assert.Equal(ActivityStatusCode.Ok, reconciles[^1].Status);
        Assert.Equal("provisioned", reconciles[^1].GetTagItem(ShapingTags.Outcome));
    }

    [Fact]
    public async Task HandleAsync_WithActivityListener_RecordsRequestActivity()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = ListenToShapingActivities(activities);

        var f = new HandlerFixture();
        using var parent = new Activity("test").Start(); // other tests run in parallel: keep to this trace
        await f.Handler.HandleAsync(HandlerFixture.Request("activity-test"));
        parent.Stop();

        var activity = Assert.Single(activities, a => a.TraceId == parent.TraceId && a.OperationName == "shaping.request"
            && (a.GetTagItem(ShapingTags.Shape) as string) == TestShapes.Medium.Name
            && a.GetTagItem(ShapingTags.Outcome) as string == "provisioned" && a.GetTagItem(ShapingTags.Region) as string == "eu"
            && a.Status == ActivityStatusCode.Ok);
        Assert.Equal(2, activity.GetTagItem(ShapingTags.Replicas));
    }

    [Fact]
    public async Task HandleAsync_PortThrows_CountsTheRequestAsAnExceptionOutcomeAndMarksTheActivity()
    {
        using var factory = new TestMeterFactory();
        var telemetry = new ShapingTelemetry(factory);
        using var recorder = new MeasurementRecorder(telemetry.Meter);
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = ListenToShapingActivities(activities);

        var f = new HandlerFixture();
        var handler = new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, new ThrowingProvisioner(), f.Inventory,
            new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero }, telemetry: telemetry, timeProvider: f.Time);
        using var parent = new Activity("test").Start(); // other tests run in parallel: keep to this trace

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await handler.HandleAsync(HandlerFixture.Request("throws")));
        parent.Stop();

        // The outcomes still add up to the requests, and the exception's type is on the measurement.
        Assert.Equal(1, recorder.Sum("shaping.requests"));
        Assert.Equal(1, recorder.Sum("shaping.request.outcomes"));
        Assert.Equal(1, recorder.Sum("shaping.request.outcomes", ShapingTags.Outcome, ShapingTelemetry.ExceptionOutcome));
        Assert.Equal(1, recorder.Sum("shaping.request.outcomes", "error.type", typeof(InvalidOperationException).FullName));
        var activity = Assert.Single(activities, a => a.TraceId == parent.TraceId && a.OperationName == "shaping.request");
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(ShapingTelemetry.ExceptionOutcome, activity.GetTagItem(ShapingTags.Outcome));
        Assert.Contains(activity.Events, e => e.Name == "exception");
    }

    [Fact]
    public void RecordShapeSwitch_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ShapingTelemetry.Shared.RecordShapeSwitch(null!, ShapingTags.Up));
        Assert.Throws<ArgumentNullException>(() => ShapingTelemetry.Shared.RecordShapeSwitch("eu", null!));
    }

    /// <summary>A provisioner whose adapter has a bug: every call throws.</summary>
    private sealed class ThrowingProvisioner : IProvisioner
    {
        public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("adapter bug");

        public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("adapter bug");

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("adapter bug");
    }

    /// <summary>Records every stopped activity of the "Shaping" source (of every test running: filter by trace).</summary>
    private static ActivityListener ListenToShapingActivities(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ShapingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }

    /// <summary>Records every measurement of one meter's instruments.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public MeasurementRecorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public double Sum(string instrument, string? tag = null, string? value = null) =>
            _measurements.Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && (string?)t.Value == value))).Sum(m => m.Value);

        public int Count(string instrument) => _measurements.Count(m => m.Instrument == instrument);

        public IEnumerable<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }
}
