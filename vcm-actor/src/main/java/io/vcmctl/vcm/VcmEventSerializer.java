package io.vcmctl.vcm;

import io.vcmctl.persistence.Binary;
import io.vcmctl.vcm.VcmEntity.AuditLogEnabled;
import io.vcmctl.vcm.VcmEntity.AuditLogFinalized;
import io.vcmctl.vcm.VcmEntity.Event;
import io.vcmctl.vcm.VcmEntity.HardserverRestartAcknowledged;
import io.vcmctl.vcm.VcmEntity.ModeChanged;
import io.vcmctl.vcm.VcmEntity.PropertyChanged;
import io.vcmctl.vcm.VcmEntity.SecurityWorldLoaded;
import io.vcmctl.vcm.VcmEntity.TenantDataWritten;
import io.vcmctl.vcm.VcmEntity.TenantEnrolled;
import io.vcmctl.vcm.VcmEntity.TenantUnenrolled;
import io.vcmctl.vcm.VcmEntity.VcmCreated;
import io.vcmctl.vcm.VcmEntity.VcmDeleted;
import io.vcmctl.vcm.VcmEntity.VcmSettled;
import io.vcmctl.vcm.VcmEntity.VcmStarted;
import io.vcmctl.vcm.VcmEntity.VcmStopped;
import io.vcmctl.vcm.VcmEntity.VcmStoppedForDiskLimit;
import io.vcmctl.vcm.VcmEntity.VcmStoppedForReset;
import java.io.NotSerializableException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * VCM events in the journal: each field in binary, in record order, after a format version.
 * A VCM replays every event of its history at each restart (snapshots are rare by design), so
 * this form, not Jackson's self-describing CBOR, is what an HSM's recovery time is made of.
 * Events stored by Jackson before this serializer existed keep its id and are read by it.
 *
 * <p>The manifest is the event's simple class name, which the audit trail already shows. A
 * field added to an event takes a new format version, and the old versions stay readable.
 */
public final class VcmEventSerializer extends SerializerWithStringManifest implements Binary.Form {

  private static final int VERSION = 1;
  private static final int MAX_FEATURES = 1024;

  @Override
  public int identifier() {
    return 8_750_003;
  }

  @Override
  public String manifest(Object o) {
    return o.getClass().getSimpleName();
  }

  @Override
  public byte[] toBinary(Object o) {
    Binary.Writer out = new Binary.Writer();
    write(o, out);
    return out.toByteArray();
  }

  @Override
  public void write(Object o, Binary.Writer out) {
    Event e = (Event) o;
    out.unsigned(VERSION).uuid(e.vcm());
    meta(out, e.meta());
    if (e instanceof VcmCreated c) {
      properties(out, c.properties());
      out.text(c.sshadminKey());
    } else if (e instanceof VcmStopped s) {
      out.bool(s.forced());
    } else if (e instanceof VcmDeleted d) {
      out.bool(d.forced());
    } else if (e instanceof VcmStoppedForDiskLimit d) {
      out.signed(d.measuredBytes()).signed(d.limitBytes());
    } else if (e instanceof PropertyChanged p) {
      out.text(p.property()).text(p.value());
    } else if (e instanceof TenantEnrolled t) {
      out.text(t.tenant());
    } else if (e instanceof ModeChanged m) {
      out.constant(m.mode());
    } else if (e instanceof TenantDataWritten w) {
      out.signed(w.bytes());
    } else if (e instanceof VcmSettled s) {
      out.constant(s.to()).text(s.reason());
    } else if (!(e instanceof VcmStarted || e instanceof VcmStoppedForReset || e instanceof TenantUnenrolled
        || e instanceof SecurityWorldLoaded || e instanceof AuditLogEnabled || e instanceof AuditLogFinalized
        || e instanceof HardserverRestartAcknowledged)) {
      throw new IllegalArgumentException("no binary form for " + e.getClass().getName());
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Binary.Reader in = new Binary.Reader(bytes);
    Object event = read(manifest, in);
    try {
      in.end();
    } catch (IllegalArgumentException e) {
      throw new NotSerializableException("a damaged " + manifest + " entry: " + e.getMessage());
    }
    return event;
  }

  @Override
  public Object read(String manifest, Binary.Reader in) throws NotSerializableException {
    try {
      long version = in.unsigned();
      if (version != VERSION) {
        throw new NotSerializableException(manifest + " in format " + version + ", which this version cannot read");
      }
      return read(manifest, in.uuid(), meta(in), in);
    } catch (IllegalArgumentException | DateTimeException | NullPointerException e) {
      throw new NotSerializableException("a damaged " + manifest + " entry: " + e.getMessage());
    }
  }

  private static Event read(String manifest, UUID vcm, EventMeta meta, Binary.Reader in)
      throws NotSerializableException {
    switch (manifest) {
      case "VcmCreated": return new VcmCreated(vcm, properties(in), in.text(), meta);
      case "VcmStarted": return new VcmStarted(vcm, meta);
      case "VcmStopped": return new VcmStopped(vcm, in.bool(), meta);
      case "VcmStoppedForReset": return new VcmStoppedForReset(vcm, meta);
      case "VcmStoppedForDiskLimit": return new VcmStoppedForDiskLimit(vcm, in.signed(), in.signed(), meta);
      case "VcmDeleted": return new VcmDeleted(vcm, in.bool(), meta);
      case "PropertyChanged": return new PropertyChanged(vcm, in.text(), in.text(), meta);
      case "TenantEnrolled": return new TenantEnrolled(vcm, in.text(), meta);
      case "TenantUnenrolled": return new TenantUnenrolled(vcm, meta);
      case "SecurityWorldLoaded": return new SecurityWorldLoaded(vcm, meta);
      case "ModeChanged": return new ModeChanged(vcm, in.constant(TenantFacts.Mode.class), meta);
      case "AuditLogEnabled": return new AuditLogEnabled(vcm, meta);
      case "AuditLogFinalized": return new AuditLogFinalized(vcm, meta);
      case "TenantDataWritten": return new TenantDataWritten(vcm, in.signed(), meta);
      case "HardserverRestartAcknowledged": return new HardserverRestartAcknowledged(vcm, meta);
      case "VcmSettled": return new VcmSettled(vcm, in.constant(VcmStatus.class), in.text(), meta);
      default: throw new NotSerializableException("unknown VCM event " + manifest);
    }
  }

  private static void meta(Binary.Writer out, EventMeta meta) {
    out.instant(meta.at()).constant(meta.by().kind()).text(meta.by().id()).text(meta.requestDigest());
  }

  private static EventMeta meta(Binary.Reader in) {
    return new EventMeta(in.instant(), new Principal(in.constant(Principal.Kind.class), in.text()), in.text());
  }

  private static void properties(Binary.Writer out, VcmProperties p) {
    out.bool(p.autostart()).bool(p.restrictStartup()).bool(p.serialCardreader()).unsigned(p.features().size());
    for (String feature : p.features()) {
      out.text(feature);
    }
    out.text(p.name()).text(p.ipAddress()).text(p.kTenantReq());
  }

  private static VcmProperties properties(Binary.Reader in) {
    boolean autostart = in.bool();
    boolean restrictStartup = in.bool();
    boolean serialCardreader = in.bool();
    int n = in.count(MAX_FEATURES);
    List<String> features = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      features.add(in.text());
    }
    return new VcmProperties(autostart, restrictStartup, serialCardreader, features, in.text(), in.text(), in.text());
  }
}
