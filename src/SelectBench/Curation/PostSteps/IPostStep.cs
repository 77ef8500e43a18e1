using SelectBench.Common;

namespace SelectBench.Curation.PostSteps;

/// <summary>
/// A generic clean-up applied to a shift after its strategy (docs/curation.md, "Post-steps"): it chooses which
/// images to keep. A post-step is registered like a strategy, with <c>[Registered("name", Settings = ...)]</c>;
/// its settings record's keys are the keys of a config's <c>post_steps</c> section.
/// </summary>
public interface IPostStep
{
    /// <summary>The images to keep and the report line, or null when the step is off under its settings.</summary>
    PostStepOutcome? Run(Shift shift, CurationContext context);
}

/// <param name="Keep">Indices of the shift's images to keep, ascending.</param>
/// <param name="Step">The line of the report's removed counts, e.g. "near-duplicates (cosine >= 0.98)".</param>
public sealed record PostStepOutcome(int[] Keep, string Step);

/// <summary>The post-steps, found by name (see <see cref="PostStepPipeline"/> for the order they run in).</summary>
public static class ShiftPostSteps
{
    public static Registry<IPostStep> Registry { get; } = new("post-step");
}
