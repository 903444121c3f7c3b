namespace Shaping.Capacity.PostgreSql.Tests.Infrastructure;

/// <summary>A theory that needs a PostgreSQL server; skipped, naming the variable, when none is configured.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (string.IsNullOrWhiteSpace(PostgresFactAttribute.ConnectionString))
        {
            Skip = $"Set {PostgresFactAttribute.Variable} to an Npgsql connection string to run the PostgreSQL integration tests; .ci/run does this.";
        }
    }
}
