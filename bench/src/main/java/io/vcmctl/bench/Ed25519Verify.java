package io.vcmctl.bench;

import io.vcmctl.vcm.request.PublicKeys;
import io.vcmctl.vcm.request.RequestException;
import io.vcmctl.vcm.request.RequestPayload;
import io.vcmctl.vcm.request.RequestVerifier;
import io.vcmctl.vcm.request.SignedRequest;
import io.vcmctl.vcm.request.VerifiedRequest;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * 6. Ed25519 verification of a real create request's signature, one thread: BouncyCastle (the
 * product's provider) against the JDK's SunEC, each with a ready key and Signature object;
 * then what the product does per check ({@link PublicKeys#verify}, which re-reads the key
 * through BouncyCastle first) and a whole create-request check as the HSM and the VCM each
 * run it.
 */
@State(Scope.Thread)
public class Ed25519Verify {

  private byte[] file;
  private byte[] payload;
  private byte[] signature;
  private PublicKey bcKey;
  private PublicKey jdkKey;
  private Signature bc;
  private Signature jdk;
  private PublicKey productKey;
  private final RequestVerifier verifier = new RequestVerifier();

  @Setup
  public void setUp() throws GeneralSecurityException, RequestException {
    file = Product.Tenant.generate().createRequest("bench");
    SignedRequest request = SignedRequest.parse(file);
    payload = request.payload();
    signature = request.signature();
    RequestPayload parsed = request.parsePayload();
    productKey = PublicKeys.decode(parsed.requestKey());
    X509EncodedKeySpec der = new X509EncodedKeySpec(productKey.getEncoded());
    BouncyCastleProvider provider = new BouncyCastleProvider();
    bcKey = KeyFactory.getInstance("Ed25519", provider).generatePublic(der);
    jdkKey = KeyFactory.getInstance("Ed25519", "SunEC").generatePublic(der);
    bc = Signature.getInstance("Ed25519", provider);
    jdk = Signature.getInstance("Ed25519", "SunEC");
    if (!bouncyCastle() || !sunEc() || !productVerify()) {
      throw new IllegalStateException("the create request's signature does not verify");
    }
  }

  @Benchmark
  public boolean bouncyCastle() throws GeneralSecurityException {
    bc.initVerify(bcKey);
    bc.update(payload);
    return bc.verify(signature);
  }

  @Benchmark
  public boolean sunEc() throws GeneralSecurityException {
    jdk.initVerify(jdkKey);
    jdk.update(payload);
    return jdk.verify(signature);
  }

  @Benchmark
  public boolean productVerify() {
    return PublicKeys.verify(productKey, payload, signature);
  }

  @Benchmark
  public VerifiedRequest createRequestCheck() throws RequestException {
    return verifier.verifyCreate(SignedRequest.parse(file), Instant.now());
  }
}
