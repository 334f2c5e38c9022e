/**
 * The registration RPCs of ChainService: RegisterIpAsset, IsRegistered, GetIpAssetStatus and
 * BatchRegisterIpAssets (each item registered as RegisterIpAsset would, key for key).
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { codeToString } from '@connectrpc/connect/protocol-connect';
import {
  BatchRegisterResponseSchema,
  BatchRegisterResultSchema,
  ChainService,
  IpAssetStatus,
  IpAssetStatusResponseSchema,
  IsRegisteredResponseSchema,
  type RegisterIpAssetRequest,
  type RegisterIpAssetResponse,
} from '@mystira/chain-protos';
import { toConnectError } from '../connect-errors.js';
import type { CallContext, ChainHandlers } from '../handlers.js';
import { badRequest, registerViolations, validateId, validateRegister } from '../validation.js';
import { registerResponse, toContributor, toSplits } from './convert.js';
import { withIdleTimeout } from './idle-timeout.js';
import type { ResolvedHandlerOptions } from './options.js';

/** The handlers of the four registration RPCs. */
export type RegistrationHandlers = Pick<
  ChainHandlers,
  'registerIpAsset' | 'isRegistered' | 'getIpAssetStatus' | 'batchRegisterIpAssets'
>;

/** Creates the registration handlers over the resolved options. */
export function registrationHandlers(options: ResolvedHandlerOptions): RegistrationHandlers {
  const { ledger, write, limits } = options;

  /** A valid request, submitted at most once per (caller, key): RegisterIpAsset and batch items. */
  async function register(
    req: RegisterIpAssetRequest,
    call: CallContext,
  ): Promise<RegisterIpAssetResponse> {
    return write(ChainService.method.registerIpAsset, req, call, async () =>
      registerResponse(
        await ledger.registerAsset(
          {
            contentId: req.contentId,
            title: req.contentTitle,
            contributors: toSplits(req.contributors),
            metadataUri: req.metadataUri,
            licenseTermsId: req.licenseTermsId,
          },
          call.signal,
        ),
      ),
    );
  }

  return {
    async registerIpAsset(req, call) {
      validateRegister(req);
      return register(req, call);
    },

    async isRegistered(req, _call) {
      validateId('content_id', req.contentId);
      const asset = await ledger.getAssetByContentId(req.contentId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      const registered = asset?.status === IpAssetStatus.REGISTERED;
      return create(IsRegisteredResponseSchema, {
        contentId: req.contentId,
        isRegistered: registered,
        ipAssetId: registered ? asset?.ipAssetId : undefined,
      });
    },

    async getIpAssetStatus(req, _call) {
      validateId('content_id', req.contentId);
      const asset = await ledger.getAssetByContentId(req.contentId).catch((e: unknown) => {
        throw toConnectError(e);
      });
      if (!asset)
        throw new ConnectError(`content ${req.contentId} is not registered`, Code.NotFound);
      return create(IpAssetStatusResponseSchema, {
        contentId: asset.contentId,
        status: asset.status,
        ipAssetId: asset.ipAssetId,
        nftTokenId: asset.nftTokenId,
        transactionHash: asset.txHash,
        lastUpdated: timestampFromDate(asset.lastUpdated),
        contributors: asset.contributors.map(toContributor),
      });
    },

    async batchRegisterIpAssets(requests, call) {
      // Read the whole (bounded) stream first: an over-long stream is rejected before any item
      // executes, so the client never has to guess which items went through.
      const items: RegisterIpAssetRequest[] = [];
      for await (const item of withIdleTimeout(requests, limits.streamIdleTimeoutMs, call.signal)) {
        if (items.length >= limits.maxBatchItems) {
          throw new ConnectError(
            `a batch may hold at most ${limits.maxBatchItems} items; nothing was registered`,
            Code.ResourceExhausted,
          );
        }
        items.push(item);
      }
      const results = [];
      for (const item of items) {
        call.signal.throwIfAborted();
        const violations = registerViolations(item);
        if (violations.length > 0) {
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: false,
              errorMessage: `INVALID_ARGUMENT: ${badRequest(violations).rawMessage}`,
            }),
          );
          continue;
        }
        try {
          const res = await register(item, call);
          const failed = res.status === IpAssetStatus.FAILED;
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: !failed,
              ipAssetId: res.ipAssetId,
              transactionHash: res.registrationTxHash,
              errorMessage: res.errorMessage,
            }),
          );
        } catch (error) {
          const e = toConnectError(error);
          if (e.code === Code.Unavailable || e.code === Code.Canceled) throw e;
          results.push(
            create(BatchRegisterResultSchema, {
              contentId: item.contentId,
              success: false,
              errorMessage: `${codeToString(e.code).toUpperCase()}: ${e.rawMessage}`,
            }),
          );
        }
      }
      const successful = results.filter((r) => r.success).length;
      return create(BatchRegisterResponseSchema, {
        totalSubmitted: items.length,
        successful,
        failed: items.length - successful,
        results,
      });
    },
  };
}
