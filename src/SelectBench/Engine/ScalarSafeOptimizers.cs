using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelectBench.Engine;

/// <summary>
/// SGD with momentum and weight decay: the same update, options and saved state as TorchSharp's
/// <see cref="SGD"/> (PyTorch's torch.optim.SGD), with every Scalar the update needs held alive across
/// its native call. TorchSharp's own <c>step</c> passes <c>alpha: weight_decay</c>, <c>alpha: 1 - dampening</c>
/// and <c>alpha: -lr</c> as implicit Scalars that the finalizer may free mid-call (see <see cref="Scalars"/>).
/// Checkpoints written with either class load into the other.
/// </summary>
public sealed class ScalarSafeSgd : SGD
{
    public ScalarSafeSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
                         double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr, momentum, dampening, weightDecay, nesterov, maximize: false) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using var weightDecayScalar = weightDecay.ToScalar();
        using var momentumScalar = momentum.ToScalar();
        using var keepScalar = (1 - dampening).ToScalar();
        using var stepScalar = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, weightDecayScalar);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    buffer.mul_(momentumScalar).add_(grad, keepScalar);
                }
                grad = nesterov ? grad.add(buffer, momentumScalar) : buffer;
            }
            param.add_(grad, stepScalar);
        }
    }, closure);
}

/// <summary>
/// Adam (Kingma and Ba 2015, with PyTorch's L2 weight decay and optional AMSGrad): TorchSharp's
/// <see cref="Adam"/> update and state, with every Scalar held alive across its native call (see
/// <see cref="ScalarSafeSgd"/> and <see cref="Scalars"/> for why).
/// </summary>
public sealed class ScalarSafeAdam : Adam
{
    public ScalarSafeAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                          double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize: false) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var weightDecayScalar = weightDecay.ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = grad.neg();
            state.step += 1;
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(param, weightDecayScalar);
            state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
            Tensor secondMoment = state.exp_avg_sq;
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                secondMoment = state.max_exp_avg_sq;
            }
            using var correction = Math.Sqrt(biasCorrection2).ToScalar();
            var denominator = secondMoment.sqrt().div_(correction).add_(epsScalar, Scalars.One);
            using var stepSize = (-lr / biasCorrection1).ToScalar();
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}

/// <summary>
/// Loads optimizer state written by TorchSharp's <c>save_state_dict</c>, which opens with the optimizer's type
/// name and refuses any other: state saved by TorchSharp's <see cref="SGD"/> (checkpoints from before the
/// scalar-safe optimizers) loads into <see cref="ScalarSafeSgd"/>, and <see cref="Adam"/>'s into
/// <see cref="ScalarSafeAdam"/>; the update and the state layout are the same.
/// </summary>
public static class OptimizerStateFiles
{
    private static readonly Dictionary<string, string> Equivalent = new(StringComparer.Ordinal)
    {
        [nameof(SGD)] = nameof(ScalarSafeSgd),
        [nameof(Adam)] = nameof(ScalarSafeAdam),
    };

    public static void Load(OptimizerHelper optimizer, byte[] state)
    {
        using var input = new MemoryStream(state);
        using var reader = new BinaryReader(input);
        var saved = reader.ReadString();
        var expected = optimizer.GetType().Name;
        if (saved == expected || !Equivalent.TryGetValue(saved, out var safe) || safe != expected)
        {
            input.Position = 0;
            optimizer.load_state_dict(reader);
            return;
        }
        using var renamed = new MemoryStream();
        using (var writer = new BinaryWriter(renamed, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(expected);
            input.CopyTo(renamed);
        }
        renamed.Position = 0;
        using var renamedReader = new BinaryReader(renamed);
        optimizer.load_state_dict(renamedReader);
    }
}
