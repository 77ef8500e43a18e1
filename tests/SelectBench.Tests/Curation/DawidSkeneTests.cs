using SelectBench.Curation.Crowd;
using Xunit.Abstractions;

namespace SelectBench.Tests.Curation;

public class DawidSkeneTests(ITestOutputHelper output)
{
    private const int K = 4;

    // 3 reliable workers (0.9 correct) and 9 systematic ones who say the true class or the next class
    // equally often (0.45 / 0.45 / 0.05 / 0.05). Majority vote is fooled by the systematic shift;
    // Dawid-Skene learns it from the per-worker confusion matrices.
    private static double[][] TrueConfusions()
    {
        var list = new List<double[]>();
        for (int w = 0; w < 12; w++)
        {
            var m = new double[K * K];
            for (int j = 0; j < K; j++)
                for (int l = 0; l < K; l++)
                    m[j * K + l] = w < 3
                        ? (l == j ? 0.9 : 0.1 / 3)
                        : (l == j ? 0.45 : l == (j + 1) % K ? 0.45 : 0.05);
            list.Add(m);
        }
        return list.ToArray();
    }

    private static (VoteTable Votes, int[] Truth) Simulate(double[][] confusion, int items, int votesPerItem, int seed)
    {
        var random = new Random(seed);
        var truth = new int[items];
        var item = new List<int>(); var worker = new List<int>(); var label = new List<int>();
        var order = Enumerable.Range(0, confusion.Length).ToArray();
        for (int i = 0; i < items; i++)
        {
            truth[i] = random.Next(K);
            for (int v = 0; v < votesPerItem; v++)
            {
                int j = v + random.Next(order.Length - v);
                (order[v], order[j]) = (order[j], order[v]);
                int w = order[v];
                double u = random.NextDouble();
                int l = 0;
                for (; l < K - 1; l++) { u -= confusion[w][truth[i] * K + l]; if (u < 0) break; }
                item.Add(i); worker.Add(w); label.Add(l);
            }
        }
        return (new VoteTable(items, confusion.Length, K, item.ToArray(), worker.ToArray(), label.ToArray()), truth);
    }

    private static double Accuracy(int[] predicted, int[] truth) =>
        predicted.Where((p, i) => p == truth[i]).Count() / (double)truth.Length;

    [Fact]
    public void RecoversKnownWorkerConfusionMatricesAndBeatsMajorityVote()
    {
        var confusion = TrueConfusions();
        var (votes, truth) = Simulate(confusion, items: 2000, votesPerItem: 5, seed: 11);

        var model = DawidSkeneAggregator.Fit(votes, new DawidSkeneOptions());
        Assert.True(model.Converged);
        double maxError = 0, sumError = 0;
        for (int w = 0; w < confusion.Length; w++)
            for (int c = 0; c < K * K; c++)
            {
                double e = Math.Abs(model.Confusion[w][c] - confusion[w][c]);
                maxError = Math.Max(maxError, e);
                sumError += e;
            }
        Assert.True(sumError / (confusion.Length * K * K) < 0.03, $"mean abs error {sumError / (confusion.Length * K * K):F3}");
        Assert.True(maxError < 0.12, $"max abs error {maxError:F3}");
        Assert.All(model.Priors, p => Assert.InRange(p, 0.2, 0.3));

        var ds = DawidSkeneAggregator.Aggregate(votes, new DawidSkeneOptions());
        var mv = MajorityVote.Aggregate(votes, dropTies: false, new Random(1));
        double dsAccuracy = Accuracy(ds.Labels, truth), mvAccuracy = Accuracy(mv.Labels, truth);
        output.WriteLine($"Dawid-Skene accuracy {dsAccuracy:F4}, majority {mvAccuracy:F4}, confusion mean abs error {sumError / (confusion.Length * K * K):F4}, max {maxError:F4}, iterations {model.Iterations}");
        Assert.True(dsAccuracy > mvAccuracy + 0.05, $"Dawid-Skene {dsAccuracy:F3} vs majority {mvAccuracy:F3}");
        // Estimated accuracy sum_j p_j pi[j,j]: about 0.9 for reliable workers, 0.45 for systematic ones.
        Assert.All(ds.WorkerAccuracy.Take(3), a => Assert.InRange(a, 0.85, 0.95));
        Assert.All(ds.WorkerAccuracy.Skip(3), a => Assert.InRange(a, 0.38, 0.52));
    }

    [Fact]
    public void PosteriorsAreDistributionsAndUnanimousItemsKeepTheirLabel()
    {
        var (votes, _) = Simulate(TrueConfusions(), items: 300, votesPerItem: 3, seed: 5);
        var model = DawidSkeneAggregator.Fit(votes, new DawidSkeneOptions());
        for (int i = 0; i < votes.ItemCount; i++)
            Assert.Equal(1.0, model.Posteriors.Skip(i * K).Take(K).Sum(), 9);
        foreach (var m in model.Confusion)
            for (int j = 0; j < K; j++) Assert.Equal(1.0, m.Skip(j * K).Take(K).Sum(), 9);
    }

    [Fact]
    public void MajorityVoteBreaksTiesBySeedOrDropsThem()
    {
        // Item 0: votes 1,1,2 -> 1. Item 1: votes 0,3 -> tie.
        var votes = new VoteTable(2, 3, K, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1], [1, 1, 2, 0, 3]);
        var dropped = MajorityVote.Aggregate(votes, dropTies: true, new Random(1));
        Assert.Equal([1, MajorityVote.NoDecision], dropped.Labels);
        var broken = MajorityVote.Aggregate(votes, dropTies: false, new Random(1));
        Assert.Equal(1, broken.Labels[0]);
        Assert.Contains(broken.Labels[1], new[] { 0, 3 });
        // Worker 0 agrees on item 0; worker 2 disagrees. Agreement is measured on decided items only.
        Assert.Equal([1.0, 1.0, 0.0], dropped.WorkerAccuracy);
    }

    [Fact]
    public void InitialisationIsTheMajorityWithTiesSplit()
    {
        var votes = new VoteTable(2, 3, K, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1], [1, 1, 2, 0, 3]);
        var t = DawidSkeneAggregator.MajorityInit(votes);
        Assert.Equal([0, 1, 0, 0, 0.5, 0, 0, 0.5], t);
    }
}
