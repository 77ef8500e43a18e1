namespace SelectBench.Running;

/// <summary>What a Slurm task learns from the variables sbatch sets (https://slurm.schedmd.com/sbatch.html#SECTION_OUTPUT-ENVIRONMENT-VARIABLES).</summary>
public static class SlurmEnvironment
{
    /// <summary>$SLURM_CPUS_PER_TASK when it is set and positive: the cores the task was given.</summary>
    public static int? CpusPerTask => CpusPerTaskIn(Environment.GetEnvironmentVariable);

    /// <summary>The task's id as squeue and sacct show it: "&lt;array job&gt;_&lt;task&gt;" in an array, else $SLURM_JOB_ID; null outside Slurm.</summary>
    public static string? TaskId => TaskIdIn(Environment.GetEnvironmentVariable);

    internal static int? CpusPerTaskIn(Func<string, string?> variable) =>
        int.TryParse(variable("SLURM_CPUS_PER_TASK"), out var n) && n > 0 ? n : null;

    internal static string? TaskIdIn(Func<string, string?> variable)
    {
        var array = variable("SLURM_ARRAY_JOB_ID");
        var task = variable("SLURM_ARRAY_TASK_ID");
        return array is not null && task is not null ? $"{array}_{task}" : variable("SLURM_JOB_ID");
    }
}
