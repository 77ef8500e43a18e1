"""torch-fidelity's Inception Score on the inputs of InceptionScoreTests (see README.md).

torch_fidelity/metric_isc.py isc_features_to_metric(feature, splits=10, shuffle=True, rng_seed=2020):
rows permuted by np.random.RandomState(2020).permutation(N), cut into splits [i N // s, (i + 1) N // s),
IS = exp(mean KL(p || mean p)) per split, mean and np.std over splits. It takes logits and applies a
double softmax; given probabilities p, its softmax of log p is p, so this applies the rest to p directly.
SelectBench sorts the rows into a canonical (lexicographic) order first, so the inputs are sorted here too.
Also prints the numpy permutations the test checks.
"""
import numpy as np


def torch_fidelity_isc(p, splits=10, seed=2020):
    n = p.shape[0]
    p = p[np.random.RandomState(seed).permutation(n)].astype(np.float64)
    scores = []
    for i in range(splits):
        part = p[i * n // splits:(i + 1) * n // splits]
        q = part.mean(0, keepdims=True)
        with np.errstate(divide='ignore', invalid='ignore'):
            kl = np.where(part > 0, part * (np.log(part) - np.log(q)), 0.0)
        scores.append(np.exp(kl.sum(1).mean()))
    return np.mean(scores), np.std(scores)


def canonical(p):
    return p[np.lexsort(p.T[::-1])]


one_hot = np.zeros((40, 4), np.float32)
one_hot[np.arange(40), np.arange(40) // 10] = 1
print('class-sorted one-hot, 40 x 4:', repr(torch_fidelity_isc(canonical(one_hot))))
w = np.array([[1 + (i * 7 + c * 3 + (i // 40) * c) % 5 for c in range(5)] for i in range(200)], np.float32)
print('integer weights, 200 x 5:', repr(torch_fidelity_isc(canonical(w / w.sum(1, keepdims=True)))))
for n in (7, 10):
    print(f'RandomState(2020).permutation({n}):', list(np.random.RandomState(2020).permutation(n)))
p = np.random.RandomState(2020).permutation(1000)
print('permutation(1000): first 12', list(p[:12]), 'last 6', list(p[-6:]), 'sum i*p[i]', int((p * np.arange(1000)).sum()))
print('permutation(70000)[:8]:', list(np.random.RandomState(2020).permutation(70000)[:8]))
