import LeptonExplain
import Testing

@Suite struct AttributionMethodTests {
    @Test func theCommandLineNamesAreCaptumsInKebabCase() {
        #expect(AttributionMethod.allCases.map(\.rawValue) == ["saliency", "smoothgrad", "integrated-gradients", "gradcam", "occlusion", "attention"])
    }
}
