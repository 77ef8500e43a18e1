namespace SelectBench.Curation;

/// <summary>
/// A curation strategy (docs/curation.md): a recipe that builds a shift from the context's sets, encoders
/// and generators under the size budget N. Settings come in through the constructor as a record
/// implementing <see cref="Common.ISettings"/>; the class is registered with
/// <c>[Registered("name", Description = "...", Settings = typeof(...))]</c> (see <see cref="ShiftStrategies"/>).
/// </summary>
public interface IShiftStrategy
{
    /// <summary>The registered name, e.g. "embedding-search".</summary>
    string Name { get; }
    Shift Build(CurationContext context);
}
