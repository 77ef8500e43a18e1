using SelectBench.Common;

namespace SelectBench.Curation;

/// <summary>
/// The strategies, found by name: every <see cref="IShiftStrategy"/> marked <c>[Registered("name", Settings = ...)]</c>
/// in this assembly, plus any a test or plug-in adds with <see cref="Registry{T}.AddFrom"/>. Adding a strategy is
/// one file with one attribute line; nothing here changes (docs/extending.md).
/// </summary>
public static class ShiftStrategies
{
    public static Registry<IShiftStrategy> Registry { get; } = new("strategy");
}
