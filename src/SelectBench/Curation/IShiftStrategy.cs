namespace SelectBench.Curation;

/// <summary>
/// A curation strategy (DESIGN section 3): a recipe that builds a shift from the context's sets, encoders
/// and generators under the size budget N. Settings come in through the constructor as a record.
/// </summary>
public interface IShiftStrategy
{
    /// <summary>The registered name, e.g. "embedding-search".</summary>
    string Name { get; }
    Shift Build(CurationContext context);
}

/// <summary>Settings of one strategy: a record of plain constructor arguments with defaults.</summary>
public interface IStrategySettings
{
    /// <summary>Throws a SelectBenchException naming <paramref name="where"/>.field, the bad value and what is allowed.</summary>
    void Validate(string where);
}

/// <summary>
/// Registers a strategy class under a name (like timm's <c>@register_model</c>). The class needs a public
/// constructor taking exactly one argument of <see cref="SettingsType"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShiftStrategyAttribute(string name, Type settingsType) : Attribute
{
    public string Name { get; } = name;
    public Type SettingsType { get; } = settingsType;
}
