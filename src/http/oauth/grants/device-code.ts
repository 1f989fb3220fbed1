// RFC 8628 §3.4: the device polls with its device code; the answer is the tokens once the person
// allowed it on the verification page, else one of §3.5's errors.
import type { DeviceAuthorizations } from '../../../domain/devices/device-authorizations.js';
import { isOAuthError } from '../../../errors/oauth-error.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { Grant } from './grant.js';

export function deviceCodeGrant(devices: DeviceAuthorizations, metrics: Metrics): Grant {
  return async ({ client, form, meta, dpop }) => {
    try {
      const tokens = await devices.redeem(client, form, meta, dpop?.jkt);
      metrics.countTokenIssued('device_code', client.accessTokenAlg);
      return tokens;
    } catch (error) {
      // RFC 8628 §3.5: every answer of the poll, access_denied included, is an RFC 6749 §5.2 error
      // response, 400 (access_denied is 403 elsewhere).
      if (isOAuthError(error) && error.code === 'access_denied') throw error.withStatus(400);
      throw error;
    }
  };
}
