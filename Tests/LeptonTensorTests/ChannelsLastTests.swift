import Foundation
import Testing
import LeptonTensor
import LeptonTestSupport

/// The channels-last (NHWC) convolution and pooling kernels, the fused dense op and the fused
/// Adam kernel, on both backends: forward results against the NCHW / composed paths, and
/// gradient checks.
@Suite struct ChannelsLastTests {
    struct Conv: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]            // [N, H, W, C]
        var outChannels: Int
        var kernel: [Int]
        var stride = [1, 1]
        var padding = [0, 0]
        var dilation = [1, 1]
        var groups = 1
        var bias = true
        var testDescription: String { name }
    }

    static let convolutions: [Conv] = [
        Conv(name: "3×3 one channel", input: [2, 6, 5, 1], outChannels: 4, kernel: [3, 3]),
        Conv(name: "3×3", input: [2, 5, 5, 3], outChannels: 3, kernel: [3, 3]),
        Conv(name: "no bias", input: [1, 4, 5, 2], outChannels: 2, kernel: [2, 3], bias: false),
        Conv(name: "stride 2", input: [1, 6, 5, 2], outChannels: 2, kernel: [3, 3], stride: [2, 2]),
        Conv(name: "padding 1", input: [1, 4, 4, 2], outChannels: 2, kernel: [3, 3], padding: [1, 1]),
        Conv(name: "asymmetric padding", input: [1, 4, 5, 2], outChannels: 2, kernel: [3, 3], padding: [0, 2, 1, 0]),
        Conv(name: "dilation 2", input: [1, 6, 6, 2], outChannels: 2, kernel: [3, 3], dilation: [2, 2]),
        Conv(name: "groups 2", input: [2, 4, 4, 4], outChannels: 6, kernel: [3, 3], padding: [1, 1], groups: 2),
        Conv(name: "depthwise", input: [1, 5, 4, 3], outChannels: 3, kernel: [3, 3], stride: [2, 1], groups: 3),
        Conv(name: "1×1", input: [2, 3, 4, 3], outChannels: 2, kernel: [1, 1]),
        Conv(name: "1×1 groups 3", input: [1, 2, 3, 3], outChannels: 6, kernel: [1, 1], groups: 3),
        Conv(name: "everything", input: [2, 7, 6, 4], outChannels: 4, kernel: [3, 2], stride: [2, 2],
             padding: [1, 2, 0, 1], dilation: [2, 1], groups: 2),
        // Direct kernel (patch ≤ 32 taps, ≥ 8 outputs per group): blocks of 32, 16 and 8 plus a tail.
        Conv(name: "direct, 44 filters on one channel", input: [2, 6, 5, 1], outChannels: 44, kernel: [3, 3],
             padding: [1, 1]),
        Conv(name: "direct, RGB stride 2 no bias", input: [1, 7, 6, 3], outChannels: 40, kernel: [3, 3],
             stride: [2, 2], bias: false),
        Conv(name: "direct, groups 2 dilation 2", input: [1, 6, 6, 4], outChannels: 18, kernel: [3, 3],
             padding: [2, 1, 0, 2], dilation: [2, 2], groups: 2),
        // Pixel pairs inside the image: blocks of 16, an odd row width, a pair's remainder of 8.
        Conv(name: "direct, 16 filters, pairs and a single", input: [2, 8, 9, 1], outChannels: 16, kernel: [3, 3]),
        Conv(name: "direct, 24 filters RGB stride 1×2", input: [1, 9, 11, 3], outChannels: 24, kernel: [3, 3],
             stride: [1, 2], padding: [0, 1, 0, 1]),
    ]

    @Test(arguments: TestSupport.backendNames, convolutions)
    func convMatchesChannelsFirst(backend: String, c: Conv) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 1)
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 2, scale: 0.5)
            let b = c.bias ? TestSupport.randn([c.outChannels], seed: 3) : nil
            let nhwc = x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation,
                                groups: c.groups, channelsLast: true)
            let nchw = x.permute([0, 3, 1, 2]).conv2d(w, bias: b, stride: c.stride, padding: c.padding,
                                                      dilation: c.dilation, groups: c.groups).permute([0, 2, 3, 1])
            #expect(nhwc.shape == nchw.shape)
            #expect(TestSupport.maxRelativeError(nhwc.scalars, nchw.scalars) < 1e-5, "\(c.name)")
        }
    }

    /// Every build of the C kernel this CPU runs (the direct cases) against the NCHW GEMM path.
    @Test(arguments: KernelPath.allCases.filter(\.isSupported), convolutions.filter { $0.name.hasPrefix("direct") })
    func everyKernelPathMatchesChannelsFirst(path: KernelPath, c: Conv) {
        Device.with(TestSupport.backend(named: "cpu")) {
            let x = TestSupport.randn(c.input, seed: 1)
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 2, scale: 0.5)
            let b = c.bias ? TestSupport.randn([c.outChannels], seed: 3) : nil
            let nhwc = KernelPath.with(path) {
                x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, channelsLast: true)
            }
            let nchw = x.permute([0, 3, 1, 2]).conv2d(w, bias: b, stride: c.stride, padding: c.padding,
                                                      dilation: c.dilation, groups: c.groups).permute([0, 2, 3, 1])
            #expect(TestSupport.maxRelativeError(nhwc.scalars, nchw.scalars) < 1e-5, "\(path), \(c.name)")
            let relu = KernelPath.with(path) {
                x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                         channelsLast: true, relu: true)
            }
            #expect(relu.scalars == nhwc.relu().scalars, "\(path), \(c.name): the fused ReLU")
        }
    }

    @Test(arguments: TestSupport.backendNames, convolutions)
    func convGradients(backend: String, c: Conv) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 1)
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 2, scale: 0.5)
            let b = TestSupport.randn([c.outChannels], seed: 3)
            let inputs = c.bias ? [x, w, b] : [x, w]
            let result = GradientChecker.check(inputs) {
                $0[0].conv2d($0[1], bias: c.bias ? $0[2] : nil, stride: c.stride, padding: c.padding,
                             dilation: c.dilation, groups: c.groups, channelsLast: true)
            }
            #expect(result.passed, "conv2d NHWC \(c.name): \(result)")
            for i in 0..<2 {
                let one = GradientChecker.check(inputs, checking: [i]) {
                    $0[0].conv2d($0[1], bias: c.bias ? $0[2] : nil, stride: c.stride, padding: c.padding,
                                 dilation: c.dilation, groups: c.groups, channelsLast: true)
                }
                #expect(one.passed, "conv2d NHWC \(c.name), only input \(i): \(one)")
            }
        }
    }

    /// A fused ReLU equals the convolution followed by `relu()`, forward and backward, on every
    /// path (direct blocks and pixel pairs, im2col + GEMM, 1×1, groups).
    @Test(arguments: TestSupport.backendNames, convolutions)
    func fusedReLUMatchesConvThenReLU(backend: String, c: Conv) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 4).requiringGrad()
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 5, scale: 0.5).requiringGrad()
            let b = c.bias ? TestSupport.randn([c.outChannels], seed: 6).requiringGrad() : nil
            func run(fused: Bool) -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
                let y = fused
                    ? x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                               channelsLast: true, relu: true)
                    : x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                               channelsLast: true).relu()
                let seed = TestSupport.randn(y.shape, seed: 7)
                (y * seed).sum().backward()
                defer { x.grad = nil; w.grad = nil; b?.grad = nil }
                return (y.scalars, x.grad!.scalars, w.grad!.scalars, b?.grad?.scalars ?? [])
            }
            let fused = run(fused: true), separate = run(fused: false)
            #expect(fused.y == separate.y, "\(c.name): forward")
            #expect(fused.y.contains(0) && fused.y.contains { $0 > 0 }, "\(c.name): the ReLU cuts some outputs")
            #expect(TestSupport.maxRelativeError(fused.dx, separate.dx) < 1e-5, "\(c.name): dx")
            #expect(TestSupport.maxRelativeError(fused.dw, separate.dw) < 1e-5, "\(c.name): dw")
            #expect(TestSupport.maxRelativeError(fused.db, separate.db) < 1e-5, "\(c.name): db")
        }
    }

    /// NaNs in the input: the fused ReLU gives what `relu()` gives for the outputs they reach (0).
    @Test(arguments: TestSupport.backendNames, convolutions)
    func fusedReLUTreatsNaNAsReLUDoes(backend: String, c: Conv) {
        Device.with(TestSupport.backend(named: backend)) {
            var values = TestSupport.randn(c.input, seed: 8).scalars
            for i in stride(from: 3, to: values.count, by: 7) { values[i] = .nan }
            let x = Tensor(values, shape: c.input)
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 9, scale: 0.5)
            func conv(_ relu: Bool) -> Tensor {
                x.conv2d(w, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, channelsLast: true, relu: relu)
            }
            #expect(conv(false).scalars.contains { $0.isNaN }, "\(c.name): the NaN reaches some outputs")
            #expect(conv(true).scalars == conv(false).relu().scalars, "\(c.name)")
        }
    }

    /// Distinct values 0.1 apart (shuffled), so max-pooling windows have no near-ties.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        let n = shape.reduce(1, *)
        var g = RandomGenerator(seed: seed)
        var values = (0..<n).map { Float($0) * 0.1 - Float(n) * 0.05 }
        values.shuffle(using: &g)
        return Tensor(values, shape: shape)
    }

    struct Pool: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]            // [N, H, W, C]
        var kernel: [Int]
        var stride: [Int]? = nil
        var padding = [0, 0]
        var ceilMode = false
        var countIncludePad = true
        var testDescription: String { name }
    }

    static let pools: [Pool] = [
        Pool(name: "2×2", input: [2, 6, 6, 3], kernel: [2, 2]),
        Pool(name: "odd size 2×2", input: [1, 5, 7, 2], kernel: [2, 2]),
        Pool(name: "3×3 stride 2 padding 1", input: [2, 6, 5, 2], kernel: [3, 3], stride: [2, 2], padding: [1, 1]),
        Pool(name: "padding, exclude pad", input: [1, 5, 5, 3], kernel: [3, 3], stride: [2, 2], padding: [1, 1],
             countIncludePad: false),
        Pool(name: "ceil mode", input: [1, 5, 5, 2], kernel: [2, 2], ceilMode: true),
        Pool(name: "overlapping 3×2 stride 1", input: [2, 4, 5, 1], kernel: [3, 2], stride: [1, 1]),
        Pool(name: "19 channels (8 at a time and a tail), padding", input: [2, 5, 4, 19], kernel: [2, 2],
             padding: [1, 1]),
    ]

    @Test(arguments: TestSupport.backendNames, pools)
    func poolMatchesChannelsFirst(backend: String, c: Pool) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Self.distinct(c.input, seed: 4)
            let xc = x.permute([0, 3, 1, 2])
            let maxLast = x.maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode,
                                      channelsLast: true)
            let maxFirst = xc.maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode)
                .permute([0, 2, 3, 1])
            #expect(maxLast.shape == maxFirst.shape && maxLast.scalars == maxFirst.scalars, "max \(c.name)")
            let avgLast = x.avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding,
                                      countIncludePad: c.countIncludePad, ceilMode: c.ceilMode, channelsLast: true)
            let avgFirst = xc.avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding,
                                        countIncludePad: c.countIncludePad, ceilMode: c.ceilMode).permute([0, 2, 3, 1])
            #expect(avgLast.shape == avgFirst.shape)
            #expect(TestSupport.maxRelativeError(avgLast.scalars, avgFirst.scalars) < 1e-6, "average \(c.name)")
        }
    }

    @Test(arguments: TestSupport.backendNames, pools)
    func poolGradients(backend: String, c: Pool) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Self.distinct(c.input, seed: 5)
            let maxResult = GradientChecker.check([x]) {
                $0[0].maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, channelsLast: true)
            }
            #expect(maxResult.passed, "max NHWC \(c.name): \(maxResult)")
            let avgResult = GradientChecker.check([x]) {
                $0[0].avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, countIncludePad: c.countIncludePad,
                                ceilMode: c.ceilMode, channelsLast: true)
            }
            #expect(avgResult.passed, "average NHWC \(c.name): \(avgResult)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func maxPoolPropagatesNaN(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, .nan, 3, 4, 5, 6, 7, 8], shape: [1, 2, 2, 2])
            let y = x.maxPool2d(kernel: [2, 2], channelsLast: true).scalars
            #expect(y[0] == 7 && y[1].isNaN)
            // Nine channels: eight go through the vector loop, the ninth through the tail.
            var values = (0..<36).map { Float($0) }
            values[9 + 1] = .nan      // pixel 1, channel 1
            values[27 + 8] = .nan     // pixel 3, channel 8
            let wide = Tensor(values, shape: [1, 2, 2, 9]).maxPool2d(kernel: [2, 2], channelsLast: true).scalars
            #expect(wide[1].isNaN && wide[8].isNaN)
            #expect(wide[0] == 27 && wide[7] == 34)
        }
    }

    @Test(arguments: TestSupport.backendNames, [[5, 7], [1, 3], [2, 3, 4], [4]])
    func denseMatchesMatmulPlusBias(backend: String, inputShape: [Int]) {
        Device.with(TestSupport.backend(named: backend)) {
            let features = inputShape.last!
            let x = TestSupport.randn(inputShape, seed: 6)
            let k = TestSupport.randn([features, 3], seed: 7)
            let b = TestSupport.randn([3], seed: 8)
            let fused = x.dense(k, bias: b)
            let composed = x.matmul(k) + b
            #expect(fused.shape == composed.shape)
            #expect(TestSupport.maxRelativeError(fused.scalars, composed.scalars) < 1e-5)
            #expect(TestSupport.maxRelativeError(x.dense(k).scalars, x.matmul(k).scalars) < 1e-5)
            let result = GradientChecker.check([x, k, b]) { $0[0].dense($0[1], bias: $0[2]) }
            #expect(result.passed, "dense \(inputShape): \(result)")
            let noBias = GradientChecker.check([x, k]) { $0[0].dense($0[1]) }
            #expect(noBias.passed, "dense without bias \(inputShape): \(noBias)")
            for i in 0..<3 {
                let one = GradientChecker.check([x, k, b], checking: [i]) { $0[0].dense($0[1], bias: $0[2]) }
                #expect(one.passed, "dense \(inputShape), only input \(i): \(one)")
            }
        }
    }

    /// The CPU backend's Adam (C, CKernels/optimizer.c) on every kernel path this CPU runs gives the
    /// reference backend's Swift loop bit for bit: plain, L2 and decoupled decay, a count that is
    /// no multiple of any vector width, several steps.
    @Test(arguments: KernelPath.allCases.filter(\.isSupported), [(Float(0), false), (Float(0.1), false), (Float(0.05), true)])
    func adamIsTheSameOnEveryPathAsTheReference(path: KernelPath, decay: (Float, Bool)) {
        let count = 100_003
        let p = TestSupport.randn([count], seed: 19), g0 = TestSupport.randn([count], seed: 20)
        let cpu = [p.copy(), Tensor.zeros([count]), Tensor.zeros([count])]
        let reference = [p.copy(), Tensor.zeros([count]), Tensor.zeros([count])]
        for step in 1...3 {
            let g = g0 * Float(step)
            let params = AdamParameters(learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: decay.0,
                                        decoupledWeightDecay: decay.1, step: step)
            KernelPath.with(path) {
                CPUBackend.shared.adamUpdate(params, parameter: cpu[0].floats, gradient: g.floats, m: cpu[1].floats,
                                             v: cpu[2].floats, count: count)
            }
            ReferenceBackend.shared.adamUpdate(params, parameter: reference[0].floats, gradient: g.floats, m: reference[1].floats,
                                               v: reference[2].floats, count: count)
        }
        for (a, b) in zip(cpu, reference) { #expect(a.scalars == b.scalars, "path \(path), decay \(decay)") }
    }

    /// The fused kernel against the composed tensor formula, over several steps.
    @Test(arguments: TestSupport.backendNames, [(Float(0), false), (Float(0.1), false), (Float(0.05), true)])
    func adamKernelMatchesComposedFormula(backend: String, decay: (Float, Bool)) {
        Device.with(TestSupport.backend(named: backend)) {
            let (wd, decoupled) = decay
            let (lr, b1, b2, eps): (Float, Float, Float, Float) = (1e-2, 0.9, 0.999, 1e-8)
            let p = TestSupport.randn([1000], seed: 9)
            var composed = p.copy()
            let m = Tensor.zeros([1000]), v = Tensor.zeros([1000])
            var cm = Tensor.zeros([1000]), cv = Tensor.zeros([1000])
            for step in 1...5 {
                let g = TestSupport.randn([1000], seed: UInt64(10 + step))
                let params = AdamParameters(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd,
                                            decoupledWeightDecay: decoupled, step: step)
                p.backend.adamUpdate(params, parameter: p.floats, gradient: g.floats, m: m.floats, v: v.floats, count: 1000)
                var gc = g
                if decoupled { composed = composed * (1 - lr * wd) } else if wd != 0 { gc = gc + composed * wd }
                cm = cm * b1 + gc * (1 - b1)
                cv = cv * b2 + gc.square() * (1 - b2)
                let c1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
                let c2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
                composed = composed - cm / (cv.sqrt() * (1 / c2.squareRoot()) + eps) * (lr / c1)
            }
            #expect(TestSupport.maxRelativeError(p.scalars, composed.scalars, floor: 1e-3) < 1e-6)
            #expect(TestSupport.maxRelativeError(m.scalars, cm.scalars, floor: 1e-3) < 1e-6)
            #expect(TestSupport.maxRelativeError(v.scalars, cv.scalars, floor: 1e-3) < 1e-6)
        }
    }
}
