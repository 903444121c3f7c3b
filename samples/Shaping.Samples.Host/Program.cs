using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shaping.Core.Provisioning;
using Shaping.Samples.Host;

// A Generic Host that wires predictive shaping over three in-memory regions (with latency, transient failures, lost
// answers and an outage), sends a batch of replica requests through the ReplicaRequestHandler, lets the hosted shape
// adjustment loop react to a synthetic, compressed day of load for a bounded time, prints what happened and exits.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var setup = new DemoSetup(TimeProvider.System);
builder.Services.AddSingleton(setup);

// The host's own provisioner, registered before AddPredictiveShaping, wins over the embedded default: it routes to
// the demo's regions, whose faults the demo controls.
builder.Services.AddSingleton<IProvisioner>(new RegionalProvisioner(setup.Regions.Select(r => r.Region)));

builder.Services.AddPredictiveShaping(options =>
    {
        options.Tradeoff = 0.4;
        options.AdjustmentInterval = TimeSpan.FromMilliseconds(250);
        options.ReservationTimeToLive = TimeSpan.FromSeconds(30);
        options.InMemoryRegions.Clear();
        foreach (var region in setup.Regions)
        {
            options.InMemoryRegions[region.Name] = region.Capacity; // the in-memory capacity ledger
            options.SyntheticLoads[region.Name] = region.Today;    // the default (synthetic) utilisation source
        }

        // Scaler windows in seconds, to match the compressed day.
        options.Scaler.SmoothingTimeConstant = TimeSpan.FromMilliseconds(500);
        options.Scaler.UpStabilizationWindow = TimeSpan.FromSeconds(1);
        options.Scaler.DownStabilizationWindow = TimeSpan.FromSeconds(2);
        options.Scaler.Cooldown = TimeSpan.FromSeconds(2);
        options.Scaler.MaxSwitchesPerPeriod = 4;
        options.Scaler.SwitchPeriod = TimeSpan.FromSeconds(16);
    })
    .AddAdjustmentLoop();
builder.Services.AddHostedService<DemoWorker>();

using var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
