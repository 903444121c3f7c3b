using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shaping.Core.Capacity;

namespace Shaping.Capacity.PostgreSql.Tests.DependencyInjection;

public sealed class PostgreSqlCapacityLedgerServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPostgreSqlCapacityLedger_ConnectionString_ResolvesOneSingletonLedger()
    {
        var services = new ServiceCollection();
        services.AddPostgreSqlCapacityLedger("Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d");
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync();
        var ledger = provider.GetRequiredService<ICapacityLedger>();

        Assert.IsType<PostgreSqlCapacityLedger>(ledger);
        Assert.Same(ledger, provider.GetRequiredService<ICapacityLedger>());
        Assert.Same(ledger, provider.GetRequiredService<PostgreSqlCapacityLedger>());
        Assert.Single(provider.GetServices<ICapacityLedger>());
    }

    [Fact]
    public async Task AddPostgreSqlCapacityLedger_InvalidOptions_StartupValidationNamesTheSetting()
    {
        var services = new ServiceCollection();
        services.AddPostgreSqlCapacityLedger(o =>
        {
            o.ConnectionString = "Host=127.0.0.1";
            o.ReservationRetryCount = 99;
        });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync());

        Assert.Contains("PostgreSqlLedgerOptions.ReservationRetryCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostgreSqlCapacityLedger_EmptyConnectionString_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddPostgreSqlCapacityLedger(" "));
    }
}
