using TorchSharp;

namespace SelectBench.Engine;

/// <summary>
/// Scalars that stay alive for the whole process, for the constants that tensor operations take.
/// <para>
/// Why this exists: a TorchSharp <see cref="Scalar"/> owns a native <c>c10::Scalar</c> and frees it in its
/// finalizer. When C# converts a number to a Scalar implicitly (<c>x.div_(255f)</c>, <c>x * 2.0</c>, and
/// inside TorchSharp itself <c>x.add_(y)</c>, <c>a + b</c>, <c>arange(a, b)</c>, SGD's step and BatchNorm's
/// forward), nothing references the Scalar once its handle has been read, so a garbage collection on any
/// thread can finalize it while libtorch is still reading it. libtorch then reads freed memory: "Expected
/// false to be true ... Scalar.h:140", "argument alpha must not be a floating point number", "Unknown scalar
/// type", or a silently wrong number that surfaces as a NaN loss (docs/engine.md, "The Scalar use-after-free";
/// the test ScalarLifetimeTests reproduces it in seconds with forced collections).
/// </para>
/// <para>
/// The rule in this code base (enforced by ImplicitScalarConformanceTests over the compiled IL): never let
/// C# or TorchSharp create a Scalar implicitly. Use a constant from here, or create one with
/// <c>using var s = value.ToScalar();</c>, whose <c>using</c> keeps it reachable until the native call
/// has returned.
/// </para>
/// </summary>
public static class Scalars
{
    // Static fields root these objects: they are never finalized, so any thread may pass them to native
    // code at any time (libtorch only reads a Scalar).

    /// <summary>Integer 1: the alpha of a plain add, valid for integer and floating tensors alike.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>Integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>Integer -1: the alpha of a subtraction written as an add.</summary>
    public static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>Integer 2.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>255, the largest 8-bit pixel value (pixels to [0, 1] and back).</summary>
    public static readonly Scalar Byte255 = 255f.ToScalar();

    /// <summary>0.5 (a fair coin, a half).</summary>
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>a + b, with the alpha of 1 held alive (TorchSharp's <c>a + b</c> creates it implicitly).</summary>
    public static torch.Tensor Add(torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary>a += b in place, with the alpha held alive.</summary>
    public static torch.Tensor AddInPlace(torch.Tensor a, torch.Tensor b) => a.add_(b, One);

    /// <summary>a + alpha * b in place, with <paramref name="alpha"/> held alive for the call.</summary>
    public static torch.Tensor AddScaledInPlace(torch.Tensor a, torch.Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary>a * value (a new tensor).</summary>
    public static torch.Tensor Mul(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    /// <summary>a *= value in place.</summary>
    public static torch.Tensor MulInPlace(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul_(s);
    }

    /// <summary>a / value (a new tensor).</summary>
    public static torch.Tensor Div(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    /// <summary>a /= value in place.</summary>
    public static torch.Tensor DivInPlace(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div_(s);
    }

    /// <summary>a + value (a new tensor).</summary>
    public static torch.Tensor AddConstant(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary>a + value for integer tensors (an integer Scalar keeps the result's integer dtype).</summary>
    public static torch.Tensor AddInteger(torch.Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    /// <summary>a += value in place.</summary>
    public static torch.Tensor AddConstantInPlace(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add_(s, One);
    }

    /// <summary>value - a (a new tensor).</summary>
    public static torch.Tensor SubtractFrom(double value, torch.Tensor a)
    {
        using var s = value.ToScalar();
        return a.neg().add_(s, One);
    }

    /// <summary>a &lt; value, element-wise.</summary>
    public static torch.Tensor LessThan(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.lt(s);
    }

    /// <summary>Clamps into [min, max]; a null bound is open.</summary>
    public static torch.Tensor Clamp(torch.Tensor a, double? min = null, double? max = null)
    {
        using var lo = min?.ToScalar();
        using var hi = max?.ToScalar();
        return a.clamp(lo, hi);
    }

    /// <summary>scale * a + shift (a new tensor): the affine maps that augmentation draws are written with.</summary>
    public static torch.Tensor Affine(torch.Tensor a, double scale, double shift)
    {
        using var s = scale.ToScalar();
        using var t = shift.ToScalar();
        return a.mul(s).add_(t, One);
    }

    /// <summary>a ** exponent.</summary>
    public static torch.Tensor Pow(torch.Tensor a, double exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary>a ** exponent with an integer exponent (libtorch's integer-power paths, e.g. x * x for 2).</summary>
    public static torch.Tensor Pow(torch.Tensor a, int exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary>a &gt;= value, element-wise.</summary>
    public static torch.Tensor GreaterOrEqual(torch.Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.ge(s);
    }

    /// <summary>0, 1, ..., count - 1 (torch.arange(count) without its implicit Scalars).</summary>
    public static torch.Tensor Arange(long count, torch.ScalarType dtype = torch.ScalarType.Int64, torch.Device? device = null) =>
        Arange(0, count, dtype, device);

    /// <summary>start, ..., stop - 1.</summary>
    public static torch.Tensor Arange(long start, long stop, torch.ScalarType dtype = torch.ScalarType.Int64, torch.Device? device = null)
    {
        using var a = start.ToScalar();
        using var b = stop.ToScalar();
        return torch.arange(a, b, One, dtype, device);
    }
}
