using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shaping.Samples.Host;

// A Generic Host that wires predictive shaping with its embedded defaults (no infrastructure), runs a bounded demo
// and exits: it ranks shapes for a few predicted loads, then replays a synthetic day of one replica's demand
// through the hysteresis scaler and prints every shape switch.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPredictiveShaping(options =>
{
    options.Tradeoff = 0.4;
    options.Scaler.UpStabilizationWindow = TimeSpan.FromMinutes(3);
    options.Scaler.DownStabilizationWindow = TimeSpan.FromMinutes(30);
    options.Scaler.Cooldown = TimeSpan.FromMinutes(10);
});
builder.Services.AddHostedService<DemoWorker>();

using var host = builder.Build();
await host.RunAsync();
