using SelectBench.Common;

namespace SelectBench.Tests.Common;

public class SymmetricEigenTests
{
    private static double[] RandomSymmetric(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                a[i * n + j] = a[j * n + i] = rng.NextDouble() * 2 - 1;
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(37)]
    [InlineData(64)]
    public void Eigenpairs_satisfy_A_v_equals_lambda_v_and_are_orthonormal_and_sorted(int n)
    {
        var a = RandomSymmetric(n, seed: n);
        var r = SymmetricEigen.Decompose(a, n);
        for (int i = 1; i < n; i++) Assert.True(r.Values[i - 1] >= r.Values[i]);
        for (int i = 0; i < n; i++)
        {
            var v = r.Vector(i);
            for (int row = 0; row < n; row++)
            {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[row * n + k] * v[k];
                Assert.True(Math.Abs(av - r.Values[i] * v[row]) < 1e-10, $"(A v - lambda v)[{row}] for eigenvalue {i}");
            }
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += v[k] * r.Vector(j)[k];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-12, $"v{i} . v{j} = {dot}");
            }
            // The sign convention: the entry of largest magnitude is positive.
            int largest = 0;
            for (int k = 1; k < n; k++) if (Math.Abs(v[k]) > Math.Abs(v[largest])) largest = k;
            Assert.True(v[largest] > 0);
        }
    }

    [Fact]
    public void Vector_code_gives_the_same_bits_as_element_by_element_code()
    {
        // The O(n^3) updates use Vector256 where accelerated; the scalar path runs the same operations one element at a
        // time. Equal bits prove that no vector-width-dependent reduction is involved (odd n exercises the tails).
        foreach (int n in new[] { 5, 37, 130 })
        {
            var a = RandomSymmetric(n, seed: 100 + n);
            var vector = SymmetricEigen.Decompose(a, n, simd: true);
            var scalar = SymmetricEigen.Decompose(a, n, simd: false);
            Assert.Equal(Bits(scalar.Values), Bits(vector.Values));
            Assert.Equal(Bits(scalar.Vectors), Bits(vector.Vectors));
        }
    }

    [Fact]
    public void A_diagonal_matrix_gives_its_diagonal_and_unit_vectors()
    {
        double[] a = [2, 0, 0, 0, 5, 0, 0, 0, 1];
        var r = SymmetricEigen.Decompose(a, 3);
        Assert.Equal([5.0, 2.0, 1.0], r.Values);
        Assert.Equal([0.0, 1.0, 0.0], r.Vector(0).ToArray());
        Assert.Equal([1.0, 0.0, 0.0], r.Vector(1).ToArray());
        Assert.Equal([0.0, 0.0, 1.0], r.Vector(2).ToArray());
    }

    [Fact]
    public void Asymmetric_or_non_finite_input_is_refused_naming_the_entry()
    {
        Assert.Contains("(0, 1) and (1, 0) differ", Assert.Throws<SelectBenchException>(() => SymmetricEigen.Decompose([1, 2, 3, 4], 2)).Message);
        Assert.Contains("(1, 1) is NaN", Assert.Throws<SelectBenchException>(() => SymmetricEigen.Decompose([1, 0, 0, double.NaN], 2)).Message);
    }

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
