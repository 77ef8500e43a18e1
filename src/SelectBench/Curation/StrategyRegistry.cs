using System.Reflection;
using SelectBench.Common;

namespace SelectBench.Curation;

/// <summary>
/// Finds strategies by name: every class marked with <see cref="ShiftStrategyAttribute"/> in this assembly.
/// Adding a strategy is one file with one attribute line; nothing here changes.
/// </summary>
public static class StrategyRegistry
{
    private sealed record Entry(string Name, Type StrategyType, Type SettingsType);

    private static readonly Lazy<IReadOnlyDictionary<string, Entry>> Entries = new(Discover);

    public static IReadOnlyList<string> Names => Entries.Value.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static Type SettingsTypeOf(string name) => Find(name).SettingsType;

    /// <summary>Creates a strategy from settings already bound (or its defaults when null).</summary>
    public static IShiftStrategy Create(string name, IStrategySettings? settings = null, string? where = null)
    {
        var entry = Find(name);
        settings ??= (IStrategySettings)SettingsBinder.Defaults(entry.SettingsType);
        if (settings.GetType() != entry.SettingsType)
            throw new SelectBenchException($"strategy '{name}' takes {entry.SettingsType.Name}, not {settings.GetType().Name}.");
        settings.Validate(where ?? name);
        return (IShiftStrategy)Activator.CreateInstance(entry.StrategyType, settings)!;
    }

    /// <summary>Creates a strategy from a config section (keys in snake_case), e.g. parsed YAML.</summary>
    public static IShiftStrategy Create(string name, IReadOnlyDictionary<string, object?> section, string where)
    {
        var entry = Find(name);
        var settings = (IStrategySettings)SettingsBinder.Bind(entry.SettingsType, section, where);
        return Create(name, settings, where);
    }

    private static Entry Find(string name)
    {
        if (Entries.Value.TryGetValue(name, out var entry)) return entry;
        throw new SelectBenchException($"strategy: '{name}' is not a known strategy; use one of {string.Join(", ", Names)}.");
    }

    private static IReadOnlyDictionary<string, Entry> Discover()
    {
        var found = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var type in typeof(StrategyRegistry).Assembly.GetTypes())
        {
            var attr = type.GetCustomAttribute<ShiftStrategyAttribute>();
            if (attr == null) continue;
            if (!typeof(IShiftStrategy).IsAssignableFrom(type) || type.GetConstructor([attr.SettingsType]) == null)
                throw new InvalidOperationException($"{type.Name} is registered as strategy '{attr.Name}' but is not an IShiftStrategy with a constructor taking {attr.SettingsType.Name}.");
            if (!found.TryAdd(attr.Name, new Entry(attr.Name, type, attr.SettingsType)))
                throw new InvalidOperationException($"two strategies are registered as '{attr.Name}'.");
        }
        return found;
    }
}
