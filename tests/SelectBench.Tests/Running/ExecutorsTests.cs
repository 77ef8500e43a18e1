using SelectBench.Common;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

public class ExecutorsTests
{
    [Fact]
    public void TheExecutorsAreRegisteredByNameAndTheOldLocalNameStillResolves()
    {
        Assert.Equal(["local", "local-threads", "slurm"], Executors.Registry.Names);
        Assert.Equal("local", Executors.Resolve("in-process", "executor.kind"));
        var e = Assert.Throws<SelectBenchException>(() => Executors.Resolve("slurn", "--executor"));
        Assert.Contains("--executor: 'slurn' is not an executor; use one of local, local-threads, slurm", e.Message);
        Assert.Contains("Did you mean 'slurm'?", e.Message);
    }

    [Fact]
    public void EachKindReadsItsOwnFieldsOfTheExecutorSection()
    {
        // One section for every kind, as in a config: the local kinds read parallel, Slurm its own fields.
        var section = new Dictionary<string, object?>
        {
            ["parallel"] = "3",
            ["partition"] = "gpu",
            ["cpus_per_task"] = "4",
            ["time_limit"] = "01:00:00",
            ["gpus"] = "1",
            ["account"] = "lab",
        };
        Assert.IsType<LocalExecutorKind>(Executors.Create("local", section, "executor"));
        Assert.IsType<LocalThreadsExecutorKind>(Executors.Create("local-threads", section, "executor"));
        Assert.IsType<SlurmExecutorKind>(Executors.Create("slurm", section, "executor"));
        var slurm = (SlurmExecutorSettings)Executors.Registry.BindSettings("slurm",
            section.Where(p => p.Key != "parallel").ToDictionary(p => p.Key, p => p.Value), "executor")!;
        Assert.Equal(("gpu", 4, "01:00:00"), (slurm.Partition, slurm.CpusPerTask, slurm.TimeLimit));
        Assert.Equal(["--gres=gpu:1", "--account=lab"], slurm.ExtraSbatchArgs());
    }

    [Fact]
    public void ABadSettingIsAnErrorNamingTheField()
    {
        var e = Assert.Throws<SelectBenchException>(() => Executors.Create("local", new Dictionary<string, object?> { ["parallel"] = "-1" }, "executor"));
        Assert.Contains("executor.parallel: -1 is not allowed", e.Message);
        e = Assert.Throws<SelectBenchException>(() => Executors.Create("slurm", new Dictionary<string, object?> { ["cpus_per_task"] = "0" }, "executor"));
        Assert.Contains("executor.cpus_per_task: 0 is not allowed", e.Message);
    }

    [Fact]
    public void SlurmTaskIdAndCpusComeFromTheEnvironment()
    {
        var array = new Dictionary<string, string> { ["SLURM_CPUS_PER_TASK"] = "6", ["SLURM_ARRAY_JOB_ID"] = "41", ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_JOB_ID"] = "44" };
        Assert.Equal((6, "41_3"), (SlurmEnvironment.CpusPerTaskIn(array.GetValueOrDefault), SlurmEnvironment.TaskIdIn(array.GetValueOrDefault)));
        var single = new Dictionary<string, string> { ["SLURM_CPUS_PER_TASK"] = "0", ["SLURM_JOB_ID"] = "44" };
        Assert.Equal((null, "44"), (SlurmEnvironment.CpusPerTaskIn(single.GetValueOrDefault), SlurmEnvironment.TaskIdIn(single.GetValueOrDefault)));
        Assert.Null(SlurmEnvironment.TaskIdIn(_ => null));
    }
}
