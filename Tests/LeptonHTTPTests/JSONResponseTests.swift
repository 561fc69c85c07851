import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import Testing

@Suite struct JSONResponseTests {
    @Test func writesTheValueWithTheGivenEncoderAndAJSONContentType() throws {
        struct Body: Encodable { let modelName: String }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let response = try jsonResponse(Body(modelName: "mnist"), encoder: encoder, status: .created)
        #expect(response.status == .created)
        #expect(response.headers[.contentType] == "application/json")
        #expect(HTTPField.Name.requestID.rawName == "X-Request-Id")
    }
}
