import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of max and average pooling (`Ops/Tensor+Pooling.swift`): kernel, stride,
/// padding, `ceilMode` and `countIncludePad`. Max-pooling inputs have distinct values, so
/// each window's maximum is unique and stays so under a finite-difference step.
@Suite struct PoolingGradientTests {
    struct Pool: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]
        var kernel: [Int]
        var stride: [Int]? = nil
        var padding = [0, 0]
        var ceilMode = false
        var testDescription: String { name }
    }

    static let pools: [Pool] = [
        Pool(name: "2×2", input: [2, 2, 4, 4], kernel: [2, 2]),
        Pool(name: "3×3 stride 1 (overlapping)", input: [1, 2, 5, 5], kernel: [3, 3], stride: [1, 1]),
        Pool(name: "3×2 stride (2, 1)", input: [1, 1, 6, 5], kernel: [3, 2], stride: [2, 1]),
        Pool(name: "padding 1", input: [1, 2, 4, 5], kernel: [3, 3], stride: [2, 2], padding: [1, 1]),
        Pool(name: "padding (1, 0)", input: [2, 1, 5, 4], kernel: [2, 2], padding: [1, 0]),
        Pool(name: "odd size, floor", input: [1, 2, 5, 5], kernel: [2, 2]),
        Pool(name: "odd size, ceilMode", input: [1, 2, 5, 5], kernel: [2, 2], ceilMode: true),
        Pool(name: "ceilMode with padding", input: [1, 1, 6, 7], kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true),
        Pool(name: "global window", input: [2, 3, 3, 4], kernel: [3, 4]),
    ]

    @Test(arguments: TestSupport.backendNames, pools)
    func maxPool(backend: String, p: Pool) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = GradientChecker.distinct(p.input, seed: 1)
            let result = GradientChecker.check([x]) {
                $0[0].maxPool2d(kernel: p.kernel, stride: p.stride, padding: p.padding, ceilMode: p.ceilMode)
            }
            #expect(result.passed, "maxPool2d \(p.name): \(result)")
        }
    }

    @Test(arguments: TestSupport.backendNames, pools)
    func avgPool(backend: String, p: Pool) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(p.input, seed: 2)
            for includePad in [true, false] {
                let result = GradientChecker.check([x]) {
                    $0[0].avgPool2d(kernel: p.kernel, stride: p.stride, padding: p.padding,
                                    countIncludePad: includePad, ceilMode: p.ceilMode)
                }
                #expect(result.passed, "avgPool2d \(p.name), countIncludePad \(includePad): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func globalAvgPool(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4, 5], seed: 3)
            let result = GradientChecker.check([x]) { $0[0].globalAvgPool2d() }
            #expect(result.passed, "globalAvgPool2d: \(result)")
        }
    }

    /// Max pooling routes each window's gradient to its maximum only; overlapping windows
    /// that share a maximum add their gradients.
    @Test(arguments: TestSupport.backendNames)
    func maxPoolRoutesToArgmax(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2, 0,
                            0, 9, 3,
                            4, 0, 5], shape: [1, 1, 3, 3]).requiringGrad()
            x.maxPool2d(kernel: [2, 2], stride: [1, 1]).sum().backward()
            #expect(x.grad!.scalars == [0, 0, 0, 0, 4, 0, 0, 0, 0])
        }
    }
}
