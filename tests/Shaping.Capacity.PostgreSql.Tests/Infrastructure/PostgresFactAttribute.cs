namespace Shaping.Capacity.PostgreSql.Tests.Infrastructure;

/// <summary>A fact that needs a PostgreSQL server; skipped, naming the variable, when none is configured.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "SHAPING_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"Set {Variable} to an Npgsql connection string (e.g. Host=127.0.0.1;Username=postgres;Password=...;Database=...) to run the PostgreSQL integration tests; .ci/run does this.";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
